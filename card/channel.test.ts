/** The ISO 7816 plumbing of CardChannel, on short hand-written records (`=> command` / `<= response`). */
import { describe, expect, it } from 'vitest';
import { createReplayer } from '../card-sim/replay';
import { fromHex, toHex } from './bytes';
import { CardChannel } from './channel';
import { identifyAtr } from './profiles/detect';

const channel = (record: string, o: ConstructorParameters<typeof CardChannel>[1] = {}) => {
  const r = createReplayer(record);
  return { ch: new CardChannel(r, o), done: () => r.assertDone() };
};
const bytes = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ((i + from) & 0xff).toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();

describe('CardChannel', () => {
  it('follows 61xx with GET RESPONSE until the data is all there', async () => {
    const { ch, done } = channel(
      `=> 00B000000C\n<= 6108\n=> 00C0000008\n<= ${bytes(8)}6104\n=> 00C0000004\n<= ${bytes(4, 8)}9000\n`,
    );
    const r = await ch.transmit({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 12 });
    expect(r).toEqual({ data: fromHex(bytes(12)), sw: 0x9000 });
    done();
  });

  it('re-sends with the Le the card asks for on 6Cxx', async () => {
    const { ch, done } = channel(`=> 00B00000E7\n<= 6C05\n=> 00B0000005\n<= ${bytes(5)}9000\n`);
    expect(toHex(await ch.readBinary(0xe7))).toBe(bytes(5));
    done();
  });

  it('reads a file in chunks of at most 0xE7 bytes, to its end, even on a chunk boundary', async () => {
    const { ch, done } = channel(
      `=> 00B00000E7\n<= ${bytes(231)}9000\n=> 00B000E7E7\n<= ${bytes(231, 231)}9000\n=> 00B001CEE7\n<= 6B00\n`,
    );
    expect((await ch.readBinary()).length).toBe(462);
    done();
  });

  it('stops at 6282 (end of file before Le) and keeps the bytes that came with it', async () => {
    const { ch, done } = channel(`=> 00B00000E7\n<= ${bytes(100)}6282\n`);
    expect((await ch.readBinary()).length).toBe(100);
    done();
  });

  it('chains commands whose data exceeds 255 bytes (CLA | 10 on all parts but the last)', async () => {
    const { ch, done } = channel(
      `=> 102A8086E7${bytes(231)}\n<= 9000\n=> 002A808619${bytes(25, 231)}00\n<= ${bytes(4)}9000\n`,
    );
    const r = await ch.send({ cla: 0, ins: 0x2a, p1: 0x80, p2: 0x86, data: fromHex(bytes(256)), le: 256 });
    expect(toHex(r)).toBe(bytes(4));
    done();
  });

  it('puts the logical channel in the CLA, also for GET RESPONSE', async () => {
    const { ch, done } = channel(`=> 01200001\n<= 6102\n=> 01C0000002\n<= 01029000\n`);
    await ch.withChannel(1).send({ cla: 0, ins: 0x20, p1: 0, p2: 1 });
    done();
  });

  it('turns a refusal into a coded error, and stops between APDUs once cancelled', async () => {
    const { ch } = channel(`=> 00A4090C043F00D003\n<= 6A82\n`);
    await expect(
      ch.send({ cla: 0, ins: 0xa4, p1: 9, p2: 0x0c, data: fromHex('3F00D003') }),
    ).rejects.toMatchObject({ code: 'CARD_FILE_NOT_FOUND', sw: 0x6a82 });
    const ac = new AbortController();
    ac.abort();
    const { ch: c2 } = channel('', { signal: ac.signal });
    await expect(c2.readBinary()).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('ATR recognition', () => {
  it.each([
    ['3BAC00402A001225006480000310009000', 'cps3'],
    ['3BAC00402A001225006480820212009000', 'cps3'],
    ['3B9B188001001225006480040100009044', 'cps4'],
    ['3BDC18FF00001225006480000401009000', 'cps4'],
    ['3B751300004409EA9000', 'vitale'],
    ['3B751300004909EA9000', 'vitale'],
    ['3F65250052096A9000', 'vitale'],
    ['3B8F80010031B86404B0ECC1739401808290000E', 'unknown'],
    ['3B021450', 'unknown'],
  ] as const)('%s → %s', (atr, kind) => {
    expect(identifyAtr(fromHex(atr))).toBe(kind);
  });
});
