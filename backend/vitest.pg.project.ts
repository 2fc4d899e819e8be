import { defineProject } from 'vitest/config';

// The same backend integration tests against a real PostgreSQL 15 server, started for the run in a temporary
// folder by ./test/pg-global-setup.ts (one database per test file).
export default defineProject({
  test: {
    name: 'backend-postgres',
    include: ['backend/**/*.int.test.ts'],
    // Files named *.pglite.int.test.ts are about the embedded store (a PGlite folder) only.
    exclude: ['backend/**/*.pglite.int.test.ts', '**/node_modules/**'],
    environment: 'node',
    env: { VIGIE_TEST_DB: 'postgres' },
    globalSetup: ['backend/test/pg-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
