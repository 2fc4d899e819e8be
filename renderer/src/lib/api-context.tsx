import { createContext, useContext, type ReactNode } from 'react';
import type { Case } from '../../../domain/api/groups/events';
import type { SessionState } from '../../../domain/api/groups/session';
import type { VigieClient } from '../../../domain/api/renderer-api';

/**
 * The renderer-API client, given by the app root (the real `api`) or by a test (a fake `VigieClient`).
 * Screens never import `api` directly, so they render in jsdom without a core.
 */
const ApiContext = createContext<VigieClient | null>(null);

export function ApiProvider({ client, children }: { client: VigieClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

export function useApi(): VigieClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi() outside <ApiProvider>');
  return client;
}

/**
 * What a screen tells the app shell: a sign-in answered « signed in » (the shell does not wait for the
 * `session.state` event), or a report's case to show after the report closed this session too.
 */
export interface ShellActions {
  sessionChanged: (s: SessionState) => void;
  caseOpened: (c: Case) => void;
}
const noop: ShellActions = { sessionChanged: () => {}, caseOpened: () => {} };
export const ShellContext = createContext<ShellActions>(noop);
export const useShell = () => useContext(ShellContext);
