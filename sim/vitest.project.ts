import { defineProject } from 'vitest/config';

// The small simulation run (sim/sim.test.ts): ~20 pharmacies over a year on PGlite, the baseline too, with the
// invariants checked every simulated day and the report's JSON asserted. The full run is by hand (npm run simulate).
export default defineProject({
  test: {
    name: 'sim',
    include: ['sim/**/*.test.ts'],
    environment: 'node',
    env: { VIGIE_TEST_DB: 'pglite' },
    globalSetup: ['backend/test/pglite-global-setup.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
});
