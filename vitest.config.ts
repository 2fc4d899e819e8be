import { existsSync, readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { defineConfig } from 'vitest/config';
import type { TestProjectInlineConfiguration } from 'vitest/config';

// Each folder owns its test project (`<folder>/vitest.project.ts`, `electron/<folder>/vitest.project.ts`, and two
// more for the backend: `backend/vitest.pg.project.ts`, `backend/cluster/vitest.project.ts`): unit tests beside the
// code, integration tests (`*.int.test.ts`) against real PostgreSQL, PGlite, pcscd + vpcd, gnome-keyring, HAProxy.
// Vitest 4 only accepts project *files* named `vitest.<x>.config.*`, so the project files are imported here and
// passed inline, loaded with tsx (their `include` paths are relative to the repository root).
const candidates = [
  './vitest.unit.ts',
  ...readdirSync('.').map((d) => `./${d}/vitest.project.ts`),
  ...(existsSync('./electron')
    ? readdirSync('./electron').map((d) => `./electron/${d}/vitest.project.ts`)
    : []),
  './backend/vitest.pg.project.ts',
  './backend/cluster/vitest.project.ts',
].filter((f) => existsSync(f));

export default defineConfig(async () => ({
  test: {
    projects: await Promise.all(
      candidates.map(
        async (f) =>
          ((await tsImport(pathToFileURL(f).href, import.meta.url)) as { default: unknown })
            .default as TestProjectInlineConfiguration,
      ),
    ),
    reporters: process.env.CI ? ['default'] : ['default'],
  },
}));
