import { useApi } from '../../lib/api-context';
import { useCall } from '../../lib/hooks';

/** The server's check of the account's hash chain, and of the history this workstation showed before. */
export function useChainCheck() {
  const api = useApi();
  return useCall(() => api.events.verify({}), [api]);
}
export type ChainCheck = ReturnType<typeof useChainCheck>;
