import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountUnblockedMail, postalCodeRequestedMail } from '../mail/templates';
import { writeLetterToOutbox } from './letter';
import { readLetter } from './letter-reader';
import {
  CODE_ALPHABET,
  MemoryPostalCodeStore,
  generatePostalCode,
  postalProgress,
  redeemPostalCode,
  requestPostalCode,
} from './postal-code';

const ACC = 'acc-comptable';
const T0 = new Date('2026-11-22T09:00:00Z');
const H = 3600_000;
const at = (h: number) => new Date(T0.getTime() + h * H);
const outbox = mkdtempSync(join(tmpdir(), 'vigie-outbox-'));
afterAll(() => rmSync(outbox, { recursive: true, force: true }));

describe('postal code', () => {
  it('is at least 10 characters from an alphabet without look-alikes, and random', () => {
    const codes = new Set(Array.from({ length: 200 }, () => generatePostalCode()));
    expect(codes.size).toBe(200);
    for (const c of codes) {
      expect(c.length).toBeGreaterThanOrEqual(10);
      expect([...c].every((x) => CODE_ALPHABET.includes(x))).toBe(true);
    }
    expect(CODE_ALPHABET).not.toMatch(/[01OIL]/);
    expect(() => generatePostalCode(8)).toThrow();
  });

  it('goes from request to letter to unblock: the code read from the PDF works once', async () => {
    const store = new MemoryPostalCodeStore();
    const r = await requestPostalCode(store, ACC, T0);
    if (!r.ok) throw new Error(r.message);
    expect(store.rows[0]!.codeHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(store.rows)).not.toContain(r.code);
    expect(r.expiresAt).toEqual(at(240)); // 10 days

    const { pdfPath, manifestPath, entry } = await writeLetterToOutbox(
      outbox,
      {
        reference: r.reference,
        pharmacy: { name: 'Pharmacie des Terreaux', addressLines: ['12 rue d’Algérie', '69001 Lyon'] },
        recipientName: 'Hélène Comptable',
        accountId: ACC,
        code: r.code,
        requestedAt: T0,
        expiresAt: r.expiresAt,
      },
      T0,
    );
    expect(statSync(pdfPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(pdfPath).subarray(0, 5).toString()).toBe('%PDF-');
    const manifest = readFileSync(manifestPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(manifest).toEqual([entry]);
    expect(entry).toMatchObject({
      type: 'postal_unblock_code',
      reference: r.reference,
      accountId: ACC,
      recipient: { organisation: 'Pharmacie des Terreaux' },
    });
    expect(readFileSync(manifestPath, 'utf8')).not.toContain(r.code);

    const letter = await readLetter(pdfPath);
    expect(letter.code).toBe(r.code);
    expect(letter.reference).toBe(r.reference);
    expect(letter.validUntil).toBe('2 décembre 2026');
    expect(letter.text).toContain('Pharmacie des Terreaux');
    expect(letter.text).toContain('69001 Lyon');
    expect(letter.text).toContain('Comment faire');
    expect(letter.text).toMatch(/appelez le\s+36 08 /); // a non-breaking space keeps the number on one line

    // Typed in lower case with spaces: fine. Typed again: refused as used.
    const typed = letter.code!.toLowerCase().replace(/(.{4})/g, '$1 ');
    expect(await redeemPostalCode(store, ACC, typed, at(72))).toEqual({ ok: true, reference: r.reference });
    expect(await redeemPostalCode(store, ACC, letter.code!, at(73))).toMatchObject({
      ok: false,
      code: 'POSTAL_CODE_USED',
    });
    expect(postalProgress((await store.recent(ACC, 1))[0]!, at(73)).stage).toBe('used');
  });

  it('refuses a wrong code, an expired code, and a code replaced by a newer request', async () => {
    const store = new MemoryPostalCodeStore();
    const a = await requestPostalCode(store, ACC, T0);
    if (!a.ok) throw new Error();
    expect(await redeemPostalCode(store, ACC, 'ABCD-EFGH-JKMN', at(1))).toMatchObject({
      code: 'POSTAL_CODE_WRONG',
    });
    expect(await redeemPostalCode(store, ACC, a.code, at(240))).toMatchObject({
      code: 'POSTAL_CODE_EXPIRED',
    });
    const b = await requestPostalCode(store, ACC, at(240));
    if (!b.ok) throw new Error();
    expect(await redeemPostalCode(store, ACC, a.code, at(241))).toMatchObject({
      code: 'POSTAL_CODE_EXPIRED',
    });
    expect(await redeemPostalCode(store, ACC, b.code, at(241))).toMatchObject({ ok: true });
  });

  it('a new request only after 48 h (or at expiry); the code still in the post stays valid, and using one ends the other', async () => {
    const store = new MemoryPostalCodeStore();
    const a = await requestPostalCode(store, ACC, T0);
    const again = await requestPostalCode(store, ACC, at(47));
    expect(again).toMatchObject({ ok: false, code: 'POSTAL_CODE_PENDING', nextRequestAt: at(48) });
    if (!again.ok) expect(again.message).toMatch(/à partir du 24 novembre 2026/);
    const b = await requestPostalCode(store, ACC, at(48));
    expect(b.ok).toBe(true);
    if (!a.ok || !b.ok) throw new Error();
    expect(await redeemPostalCode(store, ACC, a.code, at(49))).toMatchObject({
      ok: true,
      reference: a.reference,
    });
    expect(await redeemPostalCode(store, ACC, b.code, at(50))).toMatchObject({ code: 'POSTAL_CODE_EXPIRED' });
  });

  it('wrong codes never spend the code (they are throttled by the route instead)', async () => {
    const store = new MemoryPostalCodeStore();
    const a = await requestPostalCode(store, ACC, T0);
    if (!a.ok) throw new Error();
    for (let i = 0; i < 8; i++)
      expect(await redeemPostalCode(store, ACC, `WRONG${i}ABCDEF`, at(1))).toMatchObject({
        code: 'POSTAL_CODE_WRONG',
      });
    expect(await redeemPostalCode(store, ACC, a.code, at(2))).toMatchObject({ ok: true });
  });

  it('shows the letter state: requested, printed with the expected arrival, expired', async () => {
    const store = new MemoryPostalCodeStore();
    await requestPostalCode(store, ACC, T0); // a Sunday
    const [r] = await store.recent(ACC, 1);
    expect(postalProgress(r!, at(1)).stage).toBe('requested');
    const p = postalProgress(r!, at(30), at(24));
    expect(p).toMatchObject({ stage: 'printed', expiresAt: at(240) });
    expect(p.expectedArrival?.toISOString()).toBe('2026-11-26T09:00:00.000Z');
    expect(postalProgress(r!, at(241)).stage).toBe('expired');
    expect(postalProgress(null, T0).stage).toBe('none');
  });

  it('tells the holder by e-mail that a code was requested, never the code', async () => {
    const m = postalCodeRequestedMail({
      name: 'Hélène',
      at: T0,
      reference: 'VG-ABCDEFGH',
      expiresAt: at(240),
      pharmacyName: 'Pharmacie des Terreaux',
    });
    expect(m.subject).toContain('courrier');
    expect(m.text).toContain('VG-ABCDEFGH');
    expect(m.text).toContain('2 décembre 2026');
    expect(m.text).toContain('ne figure pas dans ce message');
    expect(
      accountUnblockedMail({ name: 'Hélène', at: T0, method: 'postal_code', workstationLabel: 'Comptoir 1' })
        .text,
    ).toContain('code reçu par courrier');
  });
});
