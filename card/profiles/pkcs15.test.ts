/** card/'s PKCS#15 reading, on hand-written DER: the real CPS3's non-DER flags are read through, not refused. */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes';
import { authCertPath, cdfPathFromOdf, certEntriesFromCdf } from './pkcs15';

const utf8 = (s: string) => toHex(new TextEncoder().encode(s));
/** x509Certificate object: common attributes (label, flags), { iD }, [1] { { Path } }. */
function certObject(label: string, flags: string, id: string, path: string) {
  const len = (hex: string) => (hex.length / 2).toString(16).padStart(2, '0');
  const seq = (hex: string) => `30${len(hex)}${hex}`;
  const common = seq(`0C${len(utf8(label))}${utf8(label)}${flags}`);
  return seq(
    `${common}${seq(`04${len(id)}${id}`)}A1${len(seq(seq(`04${len(path)}${path}`)))}${seq(seq(`04${len(path)}${path}`))}`,
  );
}

describe('PKCS#15 (CDF, ODF)', () => {
  it.each([
    ['DER flags (private)', '03020780'],
    ['the real card’s one-octet, non-zero BIT STRING', '030107'],
    ['the same, octet 80', '030180'],
  ])('finds the authentication certificate with %s', (_, flags) => {
    const cdf = fromHex(
      certObject('Certificat de Signature CPS', flags, '01', 'C002') +
        certObject("Certificat d'Authentification CPS", flags, '02', 'C001'),
    );
    expect(certEntriesFromCdf(cdf).map((e) => [e.label, toHex(e.id), toHex(e.path)])).toEqual([
      ['Certificat de Signature CPS', '01', 'C002'],
      ["Certificat d'Authentification CPS", '02', 'C001'],
    ]);
    expect(toHex(authCertPath(cdf))).toBe('C001');
  });

  it('a CDF without the authentication certificate, and an ODF without CDF, are named errors', () => {
    expect(() =>
      authCertPath(fromHex(certObject('Certificat de Signature CPS', '030107', '01', 'C002'))),
    ).toThrow(expect.objectContaining({ code: 'CARD_FILE_NOT_FOUND' }));
    expect(() => cdfPathFromOdf(fromHex('A00A300804063F0000017002'))).toThrow(
      expect.objectContaining({ code: 'CARD_FILE_NOT_FOUND' }),
    );
    expect(toHex(cdfPathFromOdf(fromHex('A00A300804063F0000017002A40A300804063F0000017005')))).toBe(
      '3F0000017005',
    );
  });
});
