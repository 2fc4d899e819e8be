import { defineProject } from 'vitest/config';

// Fast unit tests everywhere: pure policy, APDU building and parsing, renderer components.
export default defineProject({
  test: {
    name: 'unit',
    include: ['{domain,backend,card,card-sim,electron,renderer,bench,scripts}/**/*.test.{ts,tsx}'],
    // *.cluster.test.ts: HAProxy and three backend instances, project backend-cluster (backend/cluster/).
    exclude: ['**/*.int.test.{ts,tsx}', '**/*.cluster.test.ts', '**/node_modules/**'],
    environment: 'node',
  },
});
