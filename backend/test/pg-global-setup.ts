import type { TestProject } from 'vitest/node';
import { startPgServer } from './pg-server';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startPgServer();
  project.provide('pgUrl', server.url);
  return () => server.stop();
}
