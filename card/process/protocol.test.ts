import { describe, expect, it } from 'vitest';
import { FromCardSchema, readFromCard, readToCard, ToCardSchema } from './protocol';

const challenge = new Uint8Array(32).fill(7);
const state = {
  status: 'present',
  readers: [],
  activeReader: null,
  pinTriesLeft: 3,
  updatedAt: '2026-01-01T00:00:00.000Z',
};

/** Messages the core may send, good and bad: the hand checks must take exactly what the schema takes. */
const toCard: unknown[] = [
  { type: 'request', id: 1, request: { op: 'getState' } },
  { type: 'request', id: 2, request: { op: 'readIdentity' } },
  { type: 'request', id: 3, request: { op: 'readIdentity', fresh: true } },
  { type: 'request', id: 4, request: { op: 'readIdentity', fresh: 'yes' } },
  { type: 'request', id: 5, request: { op: 'getPinTriesLeft', extra: 1 } },
  { type: 'request', id: 6, request: { op: 'verifyPinAndSign', pin: '1234', challenge } },
  { type: 'request', id: 7, request: { op: 'verifyPinAndSign', pin: '12345678', challenge } },
  { type: 'request', id: 8, request: { op: 'verifyPinAndSign', pin: '123', challenge } },
  { type: 'request', id: 9, request: { op: 'verifyPinAndSign', pin: '123456789', challenge } },
  { type: 'request', id: 10, request: { op: 'verifyPinAndSign', pin: '12a4', challenge } },
  { type: 'request', id: 11, request: { op: 'verifyPinAndSign', pin: 1234, challenge } },
  {
    type: 'request',
    id: 12,
    request: { op: 'verifyPinAndSign', pin: '1234', challenge: new Uint8Array(15) },
  },
  {
    type: 'request',
    id: 13,
    request: { op: 'verifyPinAndSign', pin: '1234', challenge: new Uint8Array(1025) },
  },
  { type: 'request', id: 14, request: { op: 'verifyPinAndSign', pin: '1234', challenge: [1, 2, 3] } },
  { type: 'request', id: 15, request: { op: 'verifyPinAndSign', pin: '1234\n', challenge } },
  { type: 'request', id: 16, request: { op: 'unblockPin', puk: '12345678', newPin: '4321' } },
  { type: 'request', id: 17, request: { op: 'unblockPin', puk: '1234567', newPin: '4321' } },
  { type: 'request', id: 18, request: { op: 'unblockPin', puk: '12345678', newPin: '43' } },
  { type: 'request', id: 19, request: { op: 'ping' } },
  { type: 'request', id: 20, request: { op: 'sendApdu', apdu: '00A4' } },
  { type: 'request', id: 1.5, request: { op: 'ping' } },
  { type: 'request', id: '21', request: { op: 'ping' } },
  { type: 'request', request: { op: 'ping' } },
  { type: 'request', id: 22 },
  { type: 'request', id: 23, request: null },
  { type: 'cancel', id: 24 },
  { type: 'cancel' },
  { type: 'debug', action: 'hang' },
  { type: 'debug', action: 'crash' },
  { type: 'debug', action: 'exec' },
  { type: 'unknown' },
  null,
  undefined,
  'request',
  42,
  [],
];

const fromCard: unknown[] = [
  { type: 'ready', pid: 123 },
  { type: 'ready', pid: '123' },
  { type: 'ready' },
  { type: 'state', state },
  { type: 'state', state: { ...state, status: 'on fire' } },
  { type: 'state', state: { ...state, pinTriesLeft: 9 } },
  { type: 'state' },
  { type: 'result', id: 1, ok: true, value: { pid: 1 } },
  { type: 'result', id: 2, ok: true, value: { certificate: new Uint8Array(3), holder: { nationalId: '8' } } },
  { type: 'result', id: 3, ok: true },
  { type: 'result', id: 4, ok: false, error: { code: 'CARD_REMOVED', message: 'La carte a été retirée.' } },
  {
    type: 'result',
    id: 5,
    ok: false,
    error: { code: 'CARD_PIN_WRONG', message: 'Code porteur erroné.', retryable: false, triesLeft: 2 },
  },
  { type: 'result', id: 6, ok: false, error: { code: 'NOT_A_CODE', message: 'x' } },
  { type: 'result', id: 7, ok: false, error: { code: 'CARD_REMOVED' } },
  { type: 'result', id: 8, ok: false, error: { code: 'CARD_REMOVED', message: 'x', retryable: 'yes' } },
  { type: 'result', id: 9, ok: false, error: { code: 'CARD_PIN_WRONG', message: 'x', triesLeft: 1.5 } },
  { type: 'result', id: 10, ok: false },
  { type: 'result', id: 11, ok: 'yes', value: 1 },
  { type: 'result', id: 'x', ok: true, value: 1 },
  { type: 'result', ok: true, value: 1 },
  { type: 'other' },
  null,
  7,
];

describe('card process messages: the hand checks agree with the schemas', () => {
  it.each(toCard.map((m, i) => [i, m]))('to the card process, #%i', (_, m) => {
    const schema = ToCardSchema.safeParse(m);
    expect(readToCard(m)).toEqual(schema.success ? schema.data : undefined);
  });

  it.each(fromCard.map((m, i) => [i, m]))('from the card process, #%i', (_, m) => {
    const schema = FromCardSchema.safeParse(m);
    expect(readFromCard(m)).toEqual(schema.success ? schema.data : undefined);
  });

  it('keeps only the known keys, and never the extra ones a sender added', () => {
    const m = readToCard({
      type: 'request',
      id: 1,
      secret: 'x',
      request: { op: 'unblockPin', puk: '12345678', newPin: '4321', log: true },
    });
    expect(m).toEqual({
      type: 'request',
      id: 1,
      request: { op: 'unblockPin', puk: '12345678', newPin: '4321' },
    });
    expect(Object.keys(m!)).toEqual(['type', 'id', 'request']);
  });
});
