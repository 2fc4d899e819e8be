/**
 * The messages between the core (supervisor) and the card process. Every request carries an id; the answer
 * is a Result with a stable error code. `cancel` stops a request that has not reached the card yet, or at the
 * next APDU boundary. The PIN and PUK travel in one request each and are never echoed back or logged.
 * Uint8Array values cross as such (structured clone: fork with `serialization: 'advanced'`, utilityProcess).
 */
import { z } from 'zod';
import { CardHolderSchema, CardKindSchema, CardStateSchema } from '../../domain/card';
import { ERROR_CODES, ErrorCodeSchema, type ErrorCode } from '../../domain/errors';

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');
const PIN = /^\d{4,8}$/;
const PUK = /^\d{8}$/;
const CHALLENGE = { min: 16, max: 1024 };
const pin = z.string().regex(PIN);

export const CardRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('getState') }),
  z.object({ op: z.literal('readIdentity'), fresh: z.boolean().optional() }),
  z.object({ op: z.literal('getPinTriesLeft') }),
  z.object({
    op: z.literal('verifyPinAndSign'),
    pin,
    challenge: bytes.refine((b) => b.length >= CHALLENGE.min && b.length <= CHALLENGE.max),
  }),
  z.object({ op: z.literal('unblockPin'), puk: z.string().regex(PUK), newPin: pin }),
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

/*
 * The checks run on every message, on both sides. The schemas above say what a message is; the functions below
 * check the same rules by hand (a schema library costs more than the rest of a message's handling, on the path
 * of every card operation), build fresh objects of the known keys only, as the schemas would, and answer
 * undefined for anything else. protocol.test.ts holds them to the schemas.
 */

type Loose = Record<string, unknown>;
const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null;
const isInt = (v: unknown): v is number => Number.isInteger(v);
const isPin = (v: unknown): v is string => typeof v === 'string' && PIN.test(v);
const ERROR_CODE_SET: ReadonlySet<unknown> = new Set(ERROR_CODES);

function readRequest(r: unknown): CardRequest | undefined {
  if (!isObject(r)) return undefined;
  switch (r.op) {
    case 'getState':
    case 'getPinTriesLeft':
    case 'ping':
      return { op: r.op };
    case 'readIdentity':
      if (r.fresh === undefined) return { op: 'readIdentity' };
      return typeof r.fresh === 'boolean' ? { op: 'readIdentity', fresh: r.fresh } : undefined;
    case 'verifyPinAndSign': {
      const challenge = r.challenge;
      if (!isPin(r.pin) || !(challenge instanceof Uint8Array)) return undefined;
      if (challenge.length < CHALLENGE.min || challenge.length > CHALLENGE.max) return undefined;
      return { op: 'verifyPinAndSign', pin: r.pin, challenge };
    }
    case 'unblockPin':
      if (typeof r.puk !== 'string' || !PUK.test(r.puk) || !isPin(r.newPin)) return undefined;
      return { op: 'unblockPin', puk: r.puk, newPin: r.newPin };
  }
  return undefined;
}

/** A message from the core, or undefined when it is not one (ToCardSchema's rules). */
export function readToCard(raw: unknown): ToCard | undefined {
  if (!isObject(raw)) return undefined;
  switch (raw.type) {
    case 'request': {
      const request = isInt(raw.id) ? readRequest(raw.request) : undefined;
      return request && { type: 'request', id: raw.id as number, request };
    }
    case 'cancel':
      return isInt(raw.id) ? { type: 'cancel', id: raw.id } : undefined;
    case 'debug':
      return raw.action === 'hang' || raw.action === 'crash'
        ? { type: 'debug', action: raw.action }
        : undefined;
  }
  return undefined;
}

function readError(e: unknown): z.infer<typeof CardErrorSchema> | undefined {
  if (!isObject(e) || !ERROR_CODE_SET.has(e.code) || typeof e.message !== 'string') return undefined;
  if (e.retryable !== undefined && typeof e.retryable !== 'boolean') return undefined;
  if (e.triesLeft !== undefined && !isInt(e.triesLeft)) return undefined;
  return {
    code: e.code as ErrorCode,
    message: e.message,
    ...(e.retryable !== undefined ? { retryable: e.retryable } : {}),
    ...(e.triesLeft !== undefined ? { triesLeft: e.triesLeft } : {}),
  };
}

/**
 * A message from the card process, or undefined when it is not one (FromCardSchema's rules). Results are
 * checked by hand; the card state, sent only when it changes, goes through its schema.
 */
export function readFromCard(raw: unknown): FromCard | undefined {
  if (!isObject(raw)) return undefined;
  switch (raw.type) {
    case 'result': {
      if (!isInt(raw.id)) return undefined;
      if (raw.ok === true)
        return 'value' in raw ? { type: 'result', id: raw.id, ok: true, value: raw.value } : undefined;
      const error = raw.ok === false ? readError(raw.error) : undefined;
      return error && { type: 'result', id: raw.id, ok: false, error };
    }
    case 'state': {
      const parsed = StateSchema.safeParse(raw);
      return parsed.success ? parsed.data : undefined;
    }
    case 'ready':
      return isInt(raw.pid) ? { type: 'ready', pid: raw.pid } : undefined;
  }
  return undefined;
}

export { CardKindSchema };
