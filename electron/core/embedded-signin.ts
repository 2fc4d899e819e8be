/**
 * Sign-in configuration of the embedded backend outside demo mode: the trust store and Pro Santé Connect come from
 * the environment (VIGIE_CARD_TRUST_PEM and VIGIE_CARD_CRL: comma-separated PEM files; VIGIE_PSC_ISSUER,
 * VIGIE_PSC_CLIENT_ID, VIGIE_PSC_CLIENT_SECRET). Demo mode has its own (./demo/embedded.ts).
 */
import type { SigninOptions } from '../../backend/auth/deps';

const list = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

export function signinOptionsFromEnv(outboxDir: string, env: NodeJS.ProcessEnv = process.env): SigninOptions {
  const options: SigninOptions = { lettersDir: outboxDir };
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
  return options;
}
