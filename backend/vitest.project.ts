import { defineProject } from 'vitest/config';

// Backend integration tests against embedded PGlite (one in-memory instance per test file).
export default defineProject({
  test: {
    name: 'backend-pglite',
    include: ['backend/**/*.int.test.ts'],
    environment: 'node',
    env: { VIGIE_TEST_DB: 'pglite' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
