/**
 * Sign-in configuration of the embedded backend. Demo mode: card sign-in trusts the test IGC-Santé mirror of
 * card-sim (the demo cards' CA) and e-CPS goes to a Pro Santé Connect sandbox started here, whose "phone" the demo
 * panel answers. Otherwise, the trust store and PSC come from the environment (VIGIE_CARD_TRUST_PEM and
 * VIGIE_CARD_CRL: comma-separated PEM files; VIGIE_PSC_ISSUER, VIGIE_PSC_CLIENT_ID, VIGIE_PSC_CLIENT_SECRET).
 */
import { join } from 'node:path';
import type { SigninOptions } from '../../backend/auth/deps';
import { startPscSandbox, type PscSandbox } from '../../backend/auth/ecps/sandbox';
import { DEMO_PEOPLE } from '../../backend/demo/people';
import { loadTestPki } from '../../card-sim/pki';
import type { LogFn } from './context';

const list = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

export async function demoSigninOptions(o: {
  demo: boolean;
  outboxDir: string;
  log: LogFn;
  env?: NodeJS.ProcessEnv;
}): Promise<{ options: SigninOptions; psc: PscSandbox | null }> {
  const env = o.env ?? process.env;
  const options: SigninOptions = { lettersDir: o.outboxDir };
  let psc: PscSandbox | null = null;
  if (o.demo) {
    const pki = await loadTestPki();
    options.cardAuth = {
      trustPemFiles: [join(pki.dir, 'root.pem'), join(pki.dir, 'intermediate.pem')],
      crlFiles: [join(pki.dir, 'crl.pem')],
    };
    psc = await startPscSandbox({
      people: Object.values(DEMO_PEOPLE).flatMap((p) => {
        if (!p.nationalId) return [];
        return [
          {
            nationalId: p.nationalId,
            givenName: p.firstName.toUpperCase(),
            familyName: p.lastName.toUpperCase(),
            ecps: true,
          },
        ];
      }),
    });
    options.ecps = {
      issuer: psc.issuer,
      clientId: psc.clientId,
      clientSecret: psc.clientSecret,
      allowInsecure: true,
      pollIntervalMs: 1000,
      forcePollInterval: true,
    };
    o.log('info', 'demo sign-in: test PKI and PSC sandbox', { phone: psc.phoneUrl });
  } else {
    const trust = list(env.VIGIE_CARD_TRUST_PEM);
    if (trust.length)
      options.cardAuth = {
        trustPemFiles: trust,
        crlFiles: list(env.VIGIE_CARD_CRL),
        crlFromDistributionPoints: true,
      };
    if (env.VIGIE_PSC_ISSUER && env.VIGIE_PSC_CLIENT_ID && env.VIGIE_PSC_CLIENT_SECRET) {
      options.ecps = {
        issuer: env.VIGIE_PSC_ISSUER,
        clientId: env.VIGIE_PSC_CLIENT_ID,
        clientSecret: env.VIGIE_PSC_CLIENT_SECRET,
      };
    }
  }
  return { options, psc };
}
