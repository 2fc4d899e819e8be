import { defineProject } from 'vitest/config';

// Fast unit tests everywhere: pure policy, APDU building and parsing, renderer components.
export default defineProject({
  test: {
    name: 'unit',
    include: ['{domain,backend,card,card-sim,electron,renderer,bench,scripts}/**/*.test.{ts,tsx}'],
    exclude: ['**/*.int.test.{ts,tsx}', '**/node_modules/**'],
    environment: 'node',
  },
});
