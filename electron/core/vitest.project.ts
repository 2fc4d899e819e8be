import { defineProject } from 'vitest/config';

// Integration tests of the workstation core against real system services: the OS keychain (gnome-keyring in a
// private D-Bus session: run under scripts/with-keyring.sh, as `npm test` does). The card service has its own
// project (electron/core/card-service), so it is left out here.
export default defineProject({
  test: {
    name: 'core-int',
    include: ['electron/core/**/*.int.test.ts'],
    exclude: ['electron/core/card-service/**', '**/node_modules/**'],
    environment: 'node',
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // One file at a time: the tests share one keychain.
    fileParallelism: false,
  },
});
