import { beforeAll, describe, expect, it } from 'vitest';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CrlCache,
  MemoryChallengeStore,
  TrustStore,
  httpCrlSource,
  identityFromSubject,
  pemBlocks,
  issueChallenge,
  pemCrlSource,
  verifyCardSignIn,
  type CardAuthDeps,
} from './index';
import { HOLDER, makeMiniPki, signLikeCps3, signLikeCps4, type MiniPki, type TestCard } from './test-pki';

const WS = 'ws-comptoir-1';
let pki: MiniPki;
let deps: CardAuthDeps;

beforeAll(async () => {
  pki = await makeMiniPki();
  deps = {
    challenges: new MemoryChallengeStore(),
    trust: await TrustStore.fromPem([pki.rootPem, pki.intermediatePem]),
    crls: new CrlCache(pemCrlSource(() => [pki.crlPem])),
  };
}, 30_000);

async function attempt(
  card: TestCard,
  o: { sign?: typeof signLikeCps3; ws?: string; now?: Date; tamper?: boolean; d?: CardAuthDeps } = {},
) {
  const d = o.d ?? deps;
  const now = o.now ?? new Date();
  const { challenge } = await issueChallenge(d.challenges, { workstationId: WS, now });
  const sig = (o.sign ?? signLikeCps3)(card.keyPem, Buffer.from(challenge, 'base64url'));
  if (o.tamper) sig[10] = sig[10]! ^ 0x01;
  return verifyCardSignIn(
    { challenge, signature: sig, certificate: card.certDer, workstationId: o.ws ?? WS },
    d,
    now,
  );
}

describe('card sign-in verification', () => {
  it('accepts a CPS3 signature and maps the national id, names and profession from the multi-valued RDN', async () => {
    const r = await attempt(pki.good);
    expect(r).toMatchObject({
      ok: true,
      card: {
        nationalId: HOLDER.nationalId,
        nationalIdKind: 'rpps',
        lastName: 'DURAND',
        firstName: 'SOPHIE',
        profession: 'Pharmacien',
      },
    });
  });
  it('accepts the CPS4 raw-RSA signature: it is the same PKCS#1 v1.5 signature', async () => {
    const challenge = new Uint8Array(32).fill(7);
    expect(signLikeCps4(pki.good.keyPem, challenge).equals(signLikeCps3(pki.good.keyPem, challenge))).toBe(
      true,
    );
    expect((await attempt(pki.good, { sign: signLikeCps4 })).ok).toBe(true);
  });
  it('accepts the certificate as PEM or base64 too', async () => {
    const { challenge } = await issueChallenge(deps.challenges, { workstationId: WS, now: new Date() });
    const signature = signLikeCps3(pki.good.keyPem, Buffer.from(challenge, 'base64url')).toString('base64');
    expect(
      (
        await verifyCardSignIn(
          { challenge, signature, certificate: pki.good.certPem, workstationId: WS },
          deps,
          new Date(),
        )
      ).ok,
    ).toBe(true);
  });
  it('refuses a replayed challenge with CHALLENGE_REPLAYED', async () => {
    const now = new Date();
    const { challenge } = await issueChallenge(deps.challenges, { workstationId: WS, now });
    const input = {
      challenge,
      signature: signLikeCps3(pki.good.keyPem, Buffer.from(challenge, 'base64url')),
      certificate: pki.good.certDer,
      workstationId: WS,
    };
    expect((await verifyCardSignIn(input, deps, now)).ok).toBe(true);
    expect(await verifyCardSignIn(input, deps, now)).toMatchObject({
      ok: false,
      code: 'CHALLENGE_REPLAYED',
      claimed: { nationalId: HOLDER.nationalId },
    });
  });
  it('refuses an expired challenge with CHALLENGE_EXPIRED, and an unknown one too', async () => {
    const now = new Date();
    const { challenge, expiresAt } = await issueChallenge(deps.challenges, {
      workstationId: WS,
      now,
      ttlMs: 60_000,
    });
    expect(expiresAt.getTime() - now.getTime()).toBe(60_000);
    const input = {
      challenge,
      signature: signLikeCps3(pki.good.keyPem, Buffer.from(challenge, 'base64url')),
      certificate: pki.good.certDer,
      workstationId: WS,
    };
    expect(await verifyCardSignIn(input, deps, new Date(now.getTime() + 61_000))).toMatchObject({
      ok: false,
      code: 'CHALLENGE_EXPIRED',
    });
    expect(await verifyCardSignIn({ ...input, challenge: 'A'.repeat(43) }, deps, now)).toMatchObject({
      ok: false,
      code: 'CHALLENGE_EXPIRED',
    });
  });
  it('refuses a challenge issued to another workstation with CHALLENGE_FOREIGN', async () => {
    expect(await attempt(pki.good, { ws: 'ws-back-office' })).toMatchObject({
      ok: false,
      code: 'CHALLENGE_FOREIGN',
    });
  });
  it('refuses a certificate from another CA with CERT_UNTRUSTED, even with the same subject', async () => {
    expect(await attempt(pki.foreign)).toMatchObject({
      ok: false,
      code: 'CERT_UNTRUSTED',
      claimed: { nationalId: HOLDER.nationalId },
    });
  });
  it('refuses a revoked certificate with CERT_REVOKED', async () => {
    expect(await attempt(pki.revoked)).toMatchObject({ ok: false, code: 'CERT_REVOKED' });
  });
  it('refuses an expired certificate with CERT_EXPIRED', async () => {
    expect(await attempt(pki.expired)).toMatchObject({ ok: false, code: 'CERT_EXPIRED' });
  });
  it('refuses the signature (non-repudiation) certificate with CERT_KEY_USAGE', async () => {
    expect(await attempt(pki.signatureOnly)).toMatchObject({ ok: false, code: 'CERT_KEY_USAGE' });
  });
  it('refuses a wrong signature with SIGNATURE_INVALID, and a signature by another key', async () => {
    expect(await attempt(pki.good, { tamper: true })).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    const { challenge } = await issueChallenge(deps.challenges, { workstationId: WS, now: new Date() });
    const other = signLikeCps3(pki.revoked.keyPem, Buffer.from(challenge, 'base64url'));
    expect(
      await verifyCardSignIn(
        { challenge, signature: other, certificate: pki.good.certDer, workstationId: WS },
        deps,
        new Date(),
      ),
    ).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });
  it('refuses garbage in place of a certificate', async () => {
    const { challenge } = await issueChallenge(deps.challenges, { workstationId: WS, now: new Date() });
    expect(
      await verifyCardSignIn(
        { challenge, signature: 'AAAA', certificate: 'bm90IGEgY2VydA==', workstationId: WS },
        deps,
        new Date(),
      ),
    ).toMatchObject({
      code: 'CERT_UNTRUSTED',
    });
  });
  it('does not trust an intermediate given alone in the trust store', async () => {
    await expect(TrustStore.fromPem(pki.intermediatePem)).rejects.toThrow(/no root/);
  });
});

describe('CRL cache', () => {
  it('keeps the CRL and refreshes it after refreshMs: a card revoked later is refused after the refresh', async () => {
    let crl = await pki.makeCrl({ revoked: [] });
    const crls = new CrlCache(
      pemCrlSource(() => [crl]),
      { refreshMs: 60_000 },
    );
    const d = { ...deps, challenges: new MemoryChallengeStore(), crls };
    const t0 = new Date();
    expect((await attempt(pki.good, { d, now: t0 })).ok).toBe(true);
    crl = await pki.makeCrl({ revoked: [pki.good.serial] });
    expect((await attempt(pki.good, { d, now: new Date(t0.getTime() + 30_000) })).ok).toBe(true); // cached
    expect(crls.fetches).toBe(2); // the CRL and the root's ARL
    expect(await attempt(pki.good, { d, now: new Date(t0.getTime() + 61_000) })).toMatchObject({
      code: 'CERT_REVOKED',
    });
    expect(crls.fetches).toBe(3); // the CRL again: with the card revoked, the ARL is not needed
  });
  it('fails closed when no valid CRL can be had (missing, forged, or past nextUpdate)', async () => {
    const none = {
      ...deps,
      challenges: new MemoryChallengeStore(),
      crls: new CrlCache(pemCrlSource(() => [])),
    };
    expect(await attempt(pki.good, { d: none })).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
    const stale = await pki.makeCrl({
      revoked: [],
      thisUpdate: new Date(Date.now() - 10 * 86_400_000),
      nextUpdate: new Date(Date.now() - 86_400_000),
    });
    const old = {
      ...deps,
      challenges: new MemoryChallengeStore(),
      crls: new CrlCache(pemCrlSource(() => [stale])),
    };
    expect(await attempt(pki.good, { d: old })).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
  });
  it('keeps using the last good CRL while the source is down, within its nextUpdate', async () => {
    let up = true;
    const crls = new CrlCache(
      {
        fetch: async (issuer, cert) => {
          if (!up) throw new Error('ECONNREFUSED');
          return pemCrlSource(() => [pki.crlPem]).fetch(issuer, cert);
        },
      },
      { refreshMs: 1000 },
    );
    const d = { ...deps, challenges: new MemoryChallengeStore(), crls };
    const t0 = new Date();
    expect((await attempt(pki.good, { d, now: t0 })).ok).toBe(true);
    up = false;
    expect((await attempt(pki.good, { d, now: new Date(t0.getTime() + 5000) })).ok).toBe(true);
    expect(await attempt(pki.revoked, { d, now: new Date(t0.getTime() + 5000) })).toMatchObject({
      code: 'CERT_REVOKED',
    });
  });
});

describe('CRL from the distribution point (production path)', () => {
  it('downloads the CRL named in the certificate once, then serves from the cache', async () => {
    let hits = 0;
    let crlPem = '';
    const server = createServer((req, res) => {
      hits++;
      const block = { '/CRL/ACI-FO-PP.crl': 0, '/ARL/ACR-FO.crl': 1 }[req.url ?? ''];
      if (block === undefined) return void res.writeHead(404).end();
      res
        .writeHead(200, { 'content-type': 'application/pkix-crl' })
        .end(pemBlocks(crlPem, ['X509 CRL'])[block]);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const p2 = await makeMiniPki({ crlUrl: `${base}/CRL/ACI-FO-PP.crl`, arlUrl: `${base}/ARL/ACR-FO.crl` });
      crlPem = p2.crlPem;
      const d: CardAuthDeps = {
        challenges: new MemoryChallengeStore(),
        trust: await TrustStore.fromPem([p2.rootPem, p2.intermediatePem]),
        crls: new CrlCache(httpCrlSource()),
      };
      expect((await attempt(p2.good, { d })).ok).toBe(true);
      expect(await attempt(p2.revoked, { d })).toMatchObject({ code: 'CERT_REVOKED' });
      expect(hits).toBe(2); // the CRL and the root's ARL, once each
    } finally {
      server.close();
    }
  }, 30_000);
});

describe('subject → identity', () => {
  it('reads the national id whatever the order inside the first RDN (SN=…+CN=…+GN=…)', () => {
    const n = new x509.Name('SN=PHARMACH0007512+CN=899700075122+GN=CAROLE, title=Pharmacien, C=FR', {
      GN: '2.5.4.42',
      title: '2.5.4.12',
    });
    expect(identityFromSubject(n)).toEqual({
      nationalId: '899700075122',
      nationalIdKind: 'rpps',
      lastName: 'PHARMACH0007512',
      firstName: 'CAROLE',
      profession: 'Pharmacien',
    });
  });
  it('recognises ADELI and structure (CPE) ids, and nothing else', () => {
    const id = (dn: string) =>
      identityFromSubject(new x509.Name(dn, { GN: '2.5.4.42' }))?.nationalIdKind ?? null;
    expect(id('CN=0751234567+SN=X+GN=Y, C=FR')).toBe('adeli');
    expect(id('CN=3760021832/000000018+SN=X+GN=Y, C=FR')).toBe('structure');
    expect(id('CN=john@example.org, C=FR')).toBeNull();
    expect(id('C=FR, CN=899700075122')).toBeNull(); // not in the first RDN
  });
});

describe('with the card helper test PKI (card-sim)', () => {
  it('verifies the demo holders and refuses the revoked one', async () => {
    const { loadTestPki } = await import('../../../card-sim/pki');
    const sim = await loadTestPki(join(mkdtempSync(join(tmpdir(), 'vigie-pki-')), 'pki'));
    const d: CardAuthDeps = {
      challenges: new MemoryChallengeStore(),
      trust: await TrustStore.fromPem([sim.rootPem, sim.intermediatePem]),
      crls: new CrlCache(pemCrlSource(() => [sim.crlPem])),
    };
    const results: Record<string, string> = {};
    for (const [id, c] of Object.entries(sim.holders)) {
      const now = new Date();
      const { challenge } = await issueChallenge(d.challenges, { workstationId: WS, now });
      const res = await verifyCardSignIn(
        {
          challenge,
          signature: signLikeCps3(c.authKeyPem, Buffer.from(challenge, 'base64url')),
          certificate: c.authCertPem,
          workstationId: WS,
        },
        d,
        now,
      );
      results[id] = res.ok ? `ok:${res.card.nationalId}` : res.code;
      const signCert = await verifyCardSignIn(
        {
          challenge: (await issueChallenge(d.challenges, { workstationId: WS, now })).challenge,
          signature: 'AA',
          certificate: c.signCertPem,
          workstationId: WS,
        },
        d,
        now,
      );
      if (!c.holder.revoked) expect(signCert).toMatchObject({ code: 'CERT_KEY_USAGE' });
    }
    expect(results).toEqual({
      '899700012345': 'ok:899700012345',
      '899700067890': 'ok:899700067890',
      '899700099991': 'CERT_REVOKED',
    });
  }, 60_000);
});
