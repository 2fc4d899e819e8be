import { defineProject } from 'vitest/config';

// Backend integration tests against embedded PGlite: each test file opens its own copy of a migrated data
// folder made once for the run (./test/pglite-global-setup.ts).
export default defineProject({
  test: {
    name: 'backend-pglite',
    include: ['backend/**/*.int.test.ts'],
    // Files named *.pg.int.test.ts need a PostgreSQL server (several instances on one database).
    exclude: ['backend/**/*.pg.int.test.ts', '**/node_modules/**'],
    environment: 'node',
    env: { VIGIE_TEST_DB: 'pglite' },
    globalSetup: ['backend/test/pglite-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
