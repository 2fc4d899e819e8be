import { defineProject } from 'vitest/config';

// Card integration tests through the real stack: a private pcscd with the vsmartcard-vpcd reader (started by
// card-sim/testing/global-setup.ts via scripts/pcscd-test.sh), virtual cards in child processes, the card
// process and its supervisor. One file at a time: they share the one pcscd and kill it on purpose.
export default defineProject({
  test: {
    name: 'card-pcsc',
    include: [
      'card/**/*.int.test.ts',
      'card-sim/**/*.int.test.ts',
      'electron/core/card-service/**/*.int.test.ts',
    ],
    environment: 'node',
    fileParallelism: false,
    globalSetup: ['./card-sim/testing/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
