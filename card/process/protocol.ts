/**
 * The messages between the core (supervisor) and the card process. Every request carries an id; the answer
 * is a Result with a stable error code. `cancel` stops a request that has not reached the card yet, or at the
 * next APDU boundary. The PIN and PUK travel in one request each and are never echoed back or logged.
 * Uint8Array values cross as such (structured clone: fork with `serialization: 'advanced'`, utilityProcess).
 */
import { z } from 'zod';
import { CardHolderSchema, CardKindSchema, CardStateSchema } from '../../domain/card';
import { ErrorCodeSchema } from '../../domain/errors';

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');
const pin = z.string().regex(/^\d{4,8}$/);

export const CardRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('getState') }),
  z.object({ op: z.literal('readIdentity'), fresh: z.boolean().optional() }),
  z.object({ op: z.literal('getPinTriesLeft') }),
  z.object({
    op: z.literal('verifyPinAndSign'),
    pin,
    challenge: bytes.refine((b) => b.length >= 16 && b.length <= 1024),
  }),
  z.object({ op: z.literal('unblockPin'), puk: z.string().regex(/^\d{8}$/), newPin: pin }),
  z.object({ op: z.literal('ping') }),
]);
export type CardRequest = z.infer<typeof CardRequestSchema>;

export const IdentitySchema = z.object({
  kind: z.enum(['cps3', 'cps4']),
  serial: z.string(),
  holder: CardHolderSchema,
  certificate: bytes,
  notAfter: z.string(),
  reader: z.string(),
});
export type Identity = z.infer<typeof IdentitySchema>;

export const SignatureSchema = z.object({
  signature: bytes,
  certificate: bytes,
  algorithm: z.literal('RSASSA-PKCS1-v1_5-SHA256'),
});
export type Signature = z.infer<typeof SignatureSchema>;

export interface ResultOf {
  getState: z.infer<typeof CardStateSchema>;
  readIdentity: Identity;
  getPinTriesLeft: number;
  verifyPinAndSign: Signature;
  unblockPin: { pinTriesLeft: number };
  ping: { pid: number };
}

export const ToCardSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('request'), id: z.number().int(), request: CardRequestSchema }),
  z.object({ type: z.literal('cancel'), id: z.number().int() }),
  /** Test hooks, honoured only when the process runs with VIGIE_CARD_TEST_HOOKS=1. */
  z.object({ type: z.literal('debug'), action: z.enum(['hang', 'crash']) }),
]);
export type ToCard = z.infer<typeof ToCardSchema>;

export const CardErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  retryable: z.boolean().optional(),
  /** For CARD_PIN_WRONG / CARD_PUK_WRONG: tries left. */
  triesLeft: z.number().int().optional(),
});

const ReadySchema = z.object({ type: z.literal('ready'), pid: z.number().int() });
const StateSchema = z.object({ type: z.literal('state'), state: CardStateSchema });
const OkSchema = z.object({
  type: z.literal('result'),
  id: z.number().int(),
  ok: z.literal(true),
  value: z.unknown(),
});
const FailSchema = z.object({
  type: z.literal('result'),
  id: z.number().int(),
  ok: z.literal(false),
  error: CardErrorSchema,
});
export const FromCardSchema = z.union([ReadySchema, StateSchema, OkSchema, FailSchema]);
export type FromCard = z.infer<typeof FromCardSchema>;

/** Validates a message from the card process, trying only the schema its `type` and `ok` name. */
export function parseFromCard(raw: unknown): ReturnType<typeof FromCardSchema.safeParse> {
  const m = raw as { type?: unknown; ok?: unknown } | null;
  const schema =
    m?.type === 'result'
      ? m.ok === true
        ? OkSchema
        : FailSchema
      : m?.type === 'state'
        ? StateSchema
        : m?.type === 'ready'
          ? ReadySchema
          : FromCardSchema;
  return schema.safeParse(raw) as ReturnType<typeof FromCardSchema.safeParse>;
}

export { CardKindSchema };
