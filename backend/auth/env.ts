/**
 * Sign-in configuration from the environment, for the CLI (`npm run backend`):
 *
 *   CARD_TRUST_PEM   comma-separated PEM files: IGC-Santé roots and intermediates (production), or the TEST mirror
 *   CARD_CRL         comma-separated CRL files (PEM); CARD_CRL_DOWNLOAD=1 also downloads from the distribution points
 *   CARD_POLICY_OIDS certificate policies the card authentication certificate must assert (default: the IGC-Santé arc)
 *   PSC_ISSUER, PSC_CLIENT_ID, PSC_CLIENT_SECRET   Pro Santé Connect (e-CPS, CIBA); the secret stays here
 *   LETTERS_DIR      where postal letters (PDF + manifest.jsonl) go for the mail service (./.vigie/letters-outbox)
 *   SUSPICIOUS_FAILURES (20), SUSPICIOUS_WINDOW_HOURS (24), SUSPICIOUS_CONCURRENT (1: on)
 *
 * With --demo and nothing configured: the test PKI of card-sim (./.vigie/test-pki) and a PSC sandbox started here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PEOPLE } from '../demo/people';
import { startPscSandbox, type PscSandbox } from './ecps/sandbox';
import type { SigninOptions } from './deps';
import { IGC_SANTE_POLICY_ARC } from './card/trust';

const list = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

export async function signinFromEnv(
  env: NodeJS.ProcessEnv,
  o: { demo: boolean },
): Promise<{ options: SigninOptions; psc: PscSandbox | null }> {
  const options: SigninOptions = { lettersDir: env.LETTERS_DIR ?? './.vigie/letters-outbox' };
  const trust = list(env.CARD_TRUST_PEM);
  const testPki = env.VIGIE_TEST_PKI_DIR ?? './.vigie/test-pki';
  if (trust.length) {
    options.cardAuth = {
      trustPemFiles: trust,
      crlFiles: list(env.CARD_CRL),
      crlFromDistributionPoints: env.CARD_CRL_DOWNLOAD === '1',
      policyArcs: list(env.CARD_POLICY_OIDS ?? IGC_SANTE_POLICY_ARC),
    };
  } else if (o.demo && existsSync(join(testPki, 'root.pem'))) {
    options.cardAuth = {
      trustPemFiles: [join(testPki, 'root.pem'), join(testPki, 'intermediate.pem')],
      crlFiles: [join(testPki, 'crl.pem')],
    };
  }
  let psc: PscSandbox | null = null;
  if (env.PSC_ISSUER && env.PSC_CLIENT_ID && env.PSC_CLIENT_SECRET) {
    options.ecps = {
      issuer: env.PSC_ISSUER,
      clientId: env.PSC_CLIENT_ID,
      clientSecret: env.PSC_CLIENT_SECRET,
    };
  } else if (o.demo) {
    psc = await startPscSandbox({
      people: Object.values(DEMO_PEOPLE).flatMap((p) =>
        p.nationalId
          ? [
              {
                nationalId: p.nationalId,
                givenName: p.firstName.toUpperCase(),
                familyName: p.lastName.toUpperCase(),
                ecps: true,
              },
            ]
          : [],
      ),
    });
    options.ecps = {
      issuer: psc.issuer,
      clientId: psc.clientId,
      clientSecret: psc.clientSecret,
      allowInsecure: true,
    };
  }
  options.suspicious = {
    ...(env.SUSPICIOUS_FAILURES ? { failureThreshold: Number(env.SUSPICIOUS_FAILURES) } : {}),
    ...(env.SUSPICIOUS_WINDOW_HOURS
      ? { failureWindowMs: Number(env.SUSPICIOUS_WINDOW_HOURS) * 3600_000 }
      : {}),
    ...(env.SUSPICIOUS_CONCURRENT ? { concurrentSessionsRule: env.SUSPICIOUS_CONCURRENT !== '0' } : {}),
  };
  return { options, psc };
}
