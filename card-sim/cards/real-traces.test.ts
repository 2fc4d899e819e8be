/**
 * The real CPS3 traces played the other way: each fixture's commands (card-sim/fixtures/real) are sent to the
 * virtual CPS3 and its answers compared byte for byte with what the real card answered. The card's own data
 * (the chip serial in EF.SN.ICC) is set to the traced card's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { hex, unhex } from '../ber';
import { loadTestPki } from '../pki';
import { parseRecord } from '../replay';
import { resolveHolder } from '../holders';
import { VirtualCps } from './cps';

const dir = fileURLToPath(new URL('../fixtures/real/', import.meta.url));
const names = readdirSync(dir).filter((f) => f.endsWith('.apdu'));
let card: VirtualCps;

beforeAll(async () => {
  const holder = resolveHolder('Claire MARTIN');
  const creds = await (await loadTestPki()).credentialsFor(holder);
  card = new VirtualCps({ profile: 'cps3', serial: holder.cardSerial, chipSerial: '99213845', ...creds });
}, 60_000);

describe('virtual CPS3 against the real traces', () => {
  it('there are traces to play', () => expect(names.length).toBeGreaterThanOrEqual(12));

  it.each(names)('%s: same answers, byte for byte', (name) => {
    const record = parseRecord(readFileSync(`${dir}${name}`, 'utf8'));
    expect(hex(card.atr)).toBe(hex(record.atr!));
    card.reset();
    for (const c of record.setup) expect(hex(card.process(c)).slice(-4)).toBe('9000');
    for (const e of record.exchanges)
      expect(`${hex(e.command)} → ${hex(card.process(e.command))}`).toBe(
        `${hex(e.command)} → ${hex(e.response)}`,
      );
  });

  it('after the MF is selected, SE#5 answers GET DATA (A3: the body was not published, its shape is OpenSC’s)', () => {
    card.reset();
    expect(hex(card.process(unhex('00A4090C043F000002')))).toBe('9000');
    expect(hex(card.process(unhex('00CB3FFF0A4D087006BFFB05027B80')))).toBe('6A88');
    expect(hex(card.process(unhex('00A40904023F00')))).toBe('9000');
    const more = hex(card.process(unhex('00CB3FFF0A4D087006BFFB05027B80')));
    expect(more).toMatch(/^61[0-9A-F]{2}$/);
    const body = hex(card.process(unhex(`00C00000${more.slice(2)}`)));
    expect(body).toMatch(/^70..BFFB05..7B..(A4|B4|B6|B8).*9000$/);
  });
});
