/**
 * Which unblock paths an account may take (the security key, the postal code), and the questions of the key. An
 * unknown identifier gets the same answer as a known one: every path, as if it existed.
 */
import { unblockEligibility, type UnblockAccountKind, type UnblockPath } from '../../domain/policy/unblock';
import type { Ctx } from '../context';
import { type AccountRow } from '../accounts/lookup';
import type { SigninDeps } from '../auth/deps';

async function situation(
  ctx: Ctx,
  deps: SigninDeps,
  acc: AccountRow,
  has: { card?: boolean; ecps?: boolean; letter?: boolean },
) {
  const now = ctx.clock.now();
  const [key, [latest]] = await Promise.all([
    deps.securityKeys.get(acc.id),
    deps.postalCodes.recent(acc.id, 1),
  ]);
  const pending = latest && !latest.supersededAt ? latest : null;
  return unblockEligibility(
    {
      kind: acc.kind as UnblockAccountKind,
      block:
        acc.state === 'blocked'
          ? { reason: acc.block_reason ?? 'inactivity', cause: acc.suspicion_cause ?? null }
          : null,
      atHand: has,
      // wrong tries are throttled, they never close the path (a stranger could close it for the owner)
      securityKey: { configured: !!key, failedTriesInWindow: 0 },
      postalCode: pending
        ? { requestedAt: pending.requestedAt, expiresAt: pending.expiresAt, used: !!pending.usedAt }
        : null,
      now,
    },
    deps.unblock,
  );
}

/**
 * The ways out a blocked account may take now, in order (what a refused password sign-in lists): the same pure
 * function the wizard uses, so the answer and the wizard never disagree (no key on file, tries used up, after a report).
 */
export async function allowedPaths(ctx: Ctx, deps: SigninDeps, acc: AccountRow): Promise<UnblockPath[]> {
  return (await situation(ctx, deps, acc, {})).allowed;
}

/**
 * What the wizard offers to whoever types an identifier without a proven factor: the same choice for everyone (the
 * online ways out, all tries left), whatever the identifier names. The person's own situation appears once a first
 * step succeeded, or at a sign-in where the password was right (the blocked answer lists the person's own paths).
 */
const GENERIC: { paths: UnblockPath[]; securityKeyTriesLeft: number } = {
  paths: ['security_key', 'postal_code'],
  securityKeyTriesLeft: 3,
};

export function eligibility(
  identifier: string | undefined,
  has: { card?: boolean; ecps?: boolean; letter?: boolean },
) {
  if (identifier) return { paths: GENERIC.paths, securityKeyTriesLeft: GENERIC.securityKeyTriesLeft };
  const paths: UnblockPath[] = [
    ...(has.card === false ? [] : ['card' as const]),
    ...(has.ecps === false ? [] : ['ecps' as const]),
    ...GENERIC.paths,
  ];
  return { paths, securityKeyTriesLeft: GENERIC.securityKeyTriesLeft };
}

export function questions(deps: SigninDeps) {
  const kind = {
    birth_date: 'date',
    practice_postal_code: 'postal-code',
    iban_last4: 'digits',
    text: 'digits',
  } as const;
  return {
    questions: deps.fields.map((f) => ({
      id: f.id,
      kind: kind[f.kind],
      label: f.label,
      ...(f.kind === 'iban_last4' ? { length: 4 } : f.kind === 'practice_postal_code' ? { length: 5 } : {}),
    })),
  };
}
