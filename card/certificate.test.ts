import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveHolder } from '../card-sim/holders';
import { loadTestPki } from '../card-sim/pki';
import { AppError } from '../domain/result';
import { readCertificate } from './certificate';

describe('the authentication certificate read from the card', () => {
  it('names the holder and the end date', async () => {
    const holder = resolveHolder('Claire MARTIN');
    const { authCertPem } = await (await loadTestPki()).credentialsFor(holder);
    const der = new X509Certificate(authCertPem).raw;
    const info = readCertificate(der);
    expect(info.holder.nationalId).toBe(holder.nationalId);
    expect(info.holder.lastName).toBe('MARTIN');
    expect(info.modulusBytes).toBe(256);
    expect(Date.parse(info.notAfter)).toBeGreaterThan(Date.now());
  });

  it('a certificate damaged anywhere ends in a coded card error, never a crypto exception', async () => {
    const { authCertPem } = await (await loadTestPki()).credentialsFor(resolveHolder('Claire MARTIN'));
    const der = new X509Certificate(authCertPem).raw;
    const escaped: string[] = [];
    // Every byte flipped: the key and the dates are parsed lazily by Node, so a damaged key used to escape as
    // "digital envelope routines::decode error" when the modulus length was read.
    for (let i = 0; i < der.length; i++) {
      for (const mask of [0x27]) {
        const copy = new Uint8Array(der);
        copy[i] = copy[i]! ^ mask;
        try {
          readCertificate(copy);
        } catch (e) {
          if (!(e instanceof AppError)) escaped.push(`byte ${i} ^ ${mask.toString(16)}: ${String(e)}`);
          else expect(['CARD_PROTOCOL', 'CARD_NOT_CPS']).toContain(e.code);
        }
      }
    }
    expect(escaped).toEqual([]);
  }, 60_000);
});
