import { z } from 'zod';

/** Messages of the web host's WebSocket (browser mode). Electron IPC needs none of this. */
export const ClientMessageSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('call'),
    id: z.number().int().nonnegative(),
    ch: z.string().max(100),
    req: z.unknown().optional(),
  }),
  z.object({ t: z.literal('sub'), ch: z.string().max(100) }),
  z.object({ t: z.literal('unsub'), ch: z.string().max(100) }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export type ServerMessage =
  | { t: 'result'; id: number; res: unknown }
  | { t: 'event'; ch: string; payload: unknown }
  | { t: 'error'; code: string; message: string };

/** Close codes sent by the web host. */
export const WS_CLOSE = { BAD_MESSAGE: 4400, UNAUTHORIZED: 4401, FORBIDDEN_ORIGIN: 4403 } as const;
