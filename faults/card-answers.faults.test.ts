/**
 * Mutated card answers, through the card's own transport interface (card/channel.ts CardTransport): a real
 * virtual CPS3 / CPS4 (card-sim, in process) answers, and fast-check mutates one or more of its answers (a
 * flipped byte, a truncated or extended answer, another status word, an empty answer, a transport error).
 * Every operation of both profiles ends, within a bound, with a result or an AppError carrying a known
 * code; never another exception, never a hang. (Purely random answers: card/profiles/robustness.test.ts.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeCard } from '../card-sim/cards/make';
import { inProcessReader } from '../card-sim/in-process';
import { CardChannel, type CardTransport } from '../card/channel';
import { profileFor } from '../card/profiles/cps';
import { ERROR_CODES } from '../domain/errors';
import { AppError } from '../domain/result';
import { checked, count, figure, injected } from './lib/report';

const mutation = fc.record({
  at: fc.nat({ max: 40 }),
  every: fc.option(fc.integer({ min: 2, max: 7 }), { nil: undefined }),
  kind: fc.constantFrom('flip', 'truncate', 'extend', 'sw', 'empty', 'throw', 'one-byte'),
  index: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
  sw: fc.constantFrom(
    '6A82',
    '6982',
    '6983',
    '63C0',
    '63C2',
    '6100',
    '61FF',
    '6C10',
    '6700',
    '6D00',
    '6E00',
    '6F00',
    '9000',
    '6B00',
    '6581',
  ),
  extra: fc.uint8Array({ minLength: 1, maxLength: 20 }),
});

type Mutation = { kind: string; index: number; byte: number; sw: string; extra: Uint8Array };

function mutate(r: Uint8Array, mm: Mutation): Uint8Array {
  const out = new Uint8Array(r);
  switch (mm.kind) {
    case 'flip':
      if (out.length) out[mm.index % out.length] = out[mm.index % out.length]! ^ (mm.byte || 1);
      return out;
    case 'truncate':
      return out.slice(0, mm.index % Math.max(1, out.length));
    case 'extend':
      return new Uint8Array([...out.slice(0, -2), ...mm.extra, ...out.slice(-2)]);
    case 'sw':
      return new Uint8Array([...out.slice(0, -2), ...Buffer.from(mm.sw, 'hex')]);
    case 'empty':
      return new Uint8Array(0);
    case 'one-byte':
      return new Uint8Array([mm.byte]);
    default:
      return out;
  }
}

describe('mutated card answers on both CPS profiles', () => {
  it('every operation ends with a value or a coded AppError, within 2 s', async () => {
    const cards = {
      cps3: await makeCard({ profile: 'cps3', holder: 'Claire MARTIN' }),
      cps4: await makeCard({ profile: 'cps4', holder: 'Claire MARTIN' }),
    };
    const outcomes = new Map<string, number>();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('cps3', 'cps4'),
        fc.constantFrom('identity', 'tries', 'sign', 'unblock'),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        async (kind, op, muts) => {
          runs++;
          const card = cards[kind as 'cps3' | 'cps4'];
          const reader = inProcessReader(card);
          let n = 0;
          const t: CardTransport = {
            atr: reader.atr,
            async transmit(apdu) {
              const i = n++;
              const r = await reader.transmit(apdu);
              let out = r;
              for (const m of muts) {
                if (i === m.at || (m.every !== undefined && i % m.every === 0)) {
                  if (m.kind === 'throw') throw new AppError('CARD_REMOVED', 'gone');
                  out = mutate(out, m);
                }
              }
              return out;
            },
          };
          const p = profileFor(kind as 'cps3' | 'cps4', new CardChannel(t));
          const run =
            op === 'identity'
              ? p.readIdentity()
              : op === 'tries'
                ? p.pinTriesLeft()
                : op === 'sign'
                  ? p.verifyPinAndSign('1234', new Uint8Array(32).fill(7))
                  : p.unblockPin('12345678', '1234');
          let timer: NodeJS.Timeout | undefined;
          const hang = new Promise<'hang'>((r) => (timer = setTimeout(() => r('hang'), 2000)));
          try {
            const out = await Promise.race([run, hang]);
            expect(out).not.toBe('hang');
            if (op === 'tries') expect([0, 1, 2, 3]).toContain(out);
            outcomes.set('value', (outcomes.get('value') ?? 0) + 1);
          } catch (e) {
            if (!(e instanceof AppError))
              throw new Error(`${kind} ${op}: not an AppError: ${String(e)}`, { cause: e });
            expect(ERROR_CODES).toContain(e.code);
            outcomes.set(e.code, (outcomes.get(e.code) ?? 0) + 1);
          } finally {
            clearTimeout(timer);
            card.reset();
          }
        },
      ),
      {
        numRuns: count(10_000, 2000),
        interruptAfterTimeLimit: count(120_000, 30_000),
        markInterruptAsFailure: false,
      },
    );
    injected(
      `${runs} runs: identity, PIN tries, VERIFY + signature, PUK unblock on CPS3 and CPS4 with 1-3 mutated answers each`,
    );
    figure(
      'outcomes',
      [...outcomes]
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ×${v}`)
        .join('; '),
    );
    checked('every run ended within 2 s with a value or an AppError of a known code');
  });
});
