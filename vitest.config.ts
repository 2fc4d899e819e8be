import { defineConfig } from 'vitest/config';

// Each folder owns its test project (`<folder>/vitest.project.ts`): unit tests beside the code,
// integration tests (`*.int.test.ts`) against real PostgreSQL, PGlite, pcscd + vpcd, gnome-keyring.
export default defineConfig({
  test: {
    projects: ['./vitest.unit.ts', './*/vitest.project.ts', './electron/*/vitest.project.ts'],
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
