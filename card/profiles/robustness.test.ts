/** Whatever a card (or a broken reader) answers, the driver fails with a stable code, never with a crash. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../domain/result';
import { ERROR_CODES } from '../../domain/errors';
import { CardChannel, type CardTransport } from '../channel';
import { profileFor } from './cps';

const answers = fc.array(
  fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc
      .constantFrom('9000', '6A82', '6100', '6C00', '6282', '63C0', '6983', '6985')
      .map((h) => new Uint8Array(Buffer.from(h, 'hex'))),
    fc.uint8Array({ minLength: 1, maxLength: 240 }).map((d) => new Uint8Array([...d, 0x90, 0x00])),
  ),
  { minLength: 1, maxLength: 40 },
);

describe('driver robustness', () => {
  it.each(['cps3', 'cps4'] as const)(
    '%s: random answers end in an AppError with a known code',
    async (kind) => {
      await fc.assert(
        fc.asyncProperty(
          answers,
          fc.constantFrom('identity', 'tries', 'sign', 'unblock'),
          async (list, op) => {
            let i = 0;
            const t: CardTransport = {
              atr: new Uint8Array(0),
              transmit: async () => list[i++ % list.length]!,
            };
            const p = profileFor(kind, new CardChannel(t));
            const run =
              op === 'identity'
                ? p.readIdentity()
                : op === 'tries'
                  ? p.pinTriesLeft()
                  : op === 'sign'
                    ? p.verifyPinAndSign('1234', new Uint8Array(32))
                    : p.unblockPin('12345678', '1234');
            try {
              const out = await run;
              // What does come back is within what the app can show.
              if (op === 'tries') expect([0, 1, 2, 3]).toContain(out);
            } catch (e) {
              expect(e).toBeInstanceOf(AppError);
              expect(ERROR_CODES).toContain((e as AppError).code);
            }
          },
        ),
        { numRuns: 300 },
      );
    },
  );
});
