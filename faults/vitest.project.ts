import { defineProject } from 'vitest/config';

// Fault injection, fuzzing and security checks against the real parts (child processes, PostgreSQL 15, PGlite,
// smtp-server, pcscd + vpcd). `npm run test:faults` runs the full counts (FAULTS_FULL=1); inside `npm test` the
// same cases run with smaller counts. One file at a time: they kill servers on purpose and share 2 cores.
export default defineProject({
  test: {
    name: 'faults',
    include: ['faults/**/*.faults.test.ts'],
    environment: 'node',
    fileParallelism: false,
    globalSetup: ['faults/lib/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
