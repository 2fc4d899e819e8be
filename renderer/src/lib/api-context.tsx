import { createContext, useContext, type ReactNode } from 'react';
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
