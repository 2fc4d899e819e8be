/**
 * The real pieces together: a card-sim CPS3 and CPS4 in the in-process reader, driven by the card/ profiles
 * (read the certificate without PIN, VERIFY, sign the challenge), checked by this folder's verifier against the
 * card-sim test PKI. A mismatch between what the card signs and what the backend checks fails here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCard } from '../../../card-sim/cards/make';
import { inProcessReader } from '../../../card-sim/in-process';
import { loadTestPki } from '../../../card-sim/pki';
import { CardChannel } from '../../../card/channel';
import { profileFor } from '../../../card/profiles/cps';
import { join } from 'node:path';
import { createCardAuth, type CardAuth } from './index';

const WS = 'ws-comptoir-1';
let cardAuth: CardAuth;

beforeAll(async () => {
  // Configured as the backend will be: PEM files of the test IGC-Santé mirror and its CRL file.
  const pki = await loadTestPki();
  cardAuth = await createCardAuth({
    trustPemFiles: [join(pki.dir, 'root.pem'), join(pki.dir, 'intermediate.pem')],
    crlFiles: [join(pki.dir, 'crl.pem')],
  });
}, 60_000);

async function signInWith(profile: 'cps3' | 'cps4', holder: string) {
  const p = profileFor(profile, new CardChannel(inProcessReader(await makeCard({ profile, holder }))));
  const identity = await p.readIdentity();
  const now = new Date();
  const { challenge } = await cardAuth.issueChallenge(WS, now);
  const signature = await p.verifyPinAndSign('1234', new Uint8Array(Buffer.from(challenge, 'base64url')));
  return cardAuth.verify({ challenge, signature, certificate: identity.certificate, workstationId: WS }, now);
}

describe('card sign-in with the emulated cards and the card driver', () => {
  it.each(['cps3', 'cps4'] as const)(
    '%s: Claire MARTIN signs the challenge and is recognised by her national id',
    async (profile) => {
      expect(await signInWith(profile, 'Claire MARTIN')).toMatchObject({
        ok: true,
        card: {
          nationalId: '899700012345',
          lastName: 'MARTIN',
          firstName: 'CLAIRE',
          profession: 'Pharmacien',
        },
      });
    },
  );
  it('refuses the card whose certificate is in the CRL', async () => {
    expect(await signInWith('cps3', '899700099991')).toMatchObject({
      ok: false,
      code: 'CERT_REVOKED',
      claimed: { nationalId: '899700099991' },
    });
  });
});
