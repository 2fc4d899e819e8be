import { z } from 'zod';
import { call, event } from '../define';

export const BackendStatusSchema = z.object({
  reachable: z.boolean(),
  /** `embedded` when the backend runs inside this app (demo and single workstation). */
  mode: z.enum(['embedded', 'remote']),
  /** Host and port only, for display; never credentials. */
  address: z.string(),
  version: z.string().optional(),
  checkedAt: z.string(),
  latencyMs: z.number().optional(),
  error: z.string().optional(),
  /** The sign-in methods the backend offers (card: its IGC-Santé trust store is installed; ecps: PSC is set up). */
  signIn: z.object({ card: z.boolean(), ecps: z.boolean() }).optional(),
});
export type BackendStatus = z.infer<typeof BackendStatusSchema>;

export const backendGroup = {
  getStatus: call(z.void(), BackendStatusSchema),
  status: event(BackendStatusSchema),
};
