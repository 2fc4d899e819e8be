/**
 * PGlite's cost is initdb (seconds), not opening a folder (~0.2 s): build one migrated data folder for the
 * run, and let each test file open its own copy of it (harness.ts `testDatabaseUrl`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrate, openDatabase } from '../db/connect';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const root = mkdtempSync(join(tmpdir(), 'vigie-pglite-template-'));
  const dir = join(root, 'data');
  const opened = await openDatabase(`pglite:${dir}`);
  await migrate(opened.db);
  await opened.close();
  project.provide('pgliteTemplate', dir);
  return () => rmSync(root, { recursive: true, force: true });
}
