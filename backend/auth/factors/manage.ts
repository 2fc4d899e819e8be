/**
 * What a signed-in person does with the second factor: read where she stands, enrol or replace it (still through a
 * code mailed to the dedicated address: a session opened with a password alone, in the grace period, never enrols on
 * its own), and the holder's controls: reset a delegate's factor (from her card or e-CPS session), extend the grace.
 */
import type { Transaction } from 'kysely';
import { AppError } from '../../../domain/result';
import type { Ctx } from '../../context';
import type { AuthMethod, Database } from '../../db/schema';
import { appendEvents } from '../../events/chain';
import type { RequestMeta } from '../../http/meta';
import { enqueueMails } from '../../mail/outbox';
import { requireCardHolder } from '../../sessions/holder';
import type { AuthInfo } from '../../sessions/sessions';
import { evMetaOf, requireWorkstation, type EvMeta } from '../event-meta';
import { extendGrace, graceDto } from './grace';
import { factorResetMail } from '../../mail/templates';
import { openStep } from './step-store';

/**
 * Removes an account's factor and recovery codes (after an unblock path set a new password): its next password sign-in
 * enrols again, through a code mailed to the dedicated address, unless the pharmacy is still in its grace period.
 */
export async function dropFactor(
  trx: Transaction<Database>,
  accountId: string,
  e: EvMeta & { at: Date; method: AuthMethod; via: string },
): Promise<void> {
  const gone = await trx
    .deleteFrom('second_factors')
    .where('account_id', '=', accountId)
    .returning('kind')
    .executeTakeFirst();
  await trx.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute();
  if (!gone) return;
  const { via, ...ev } = e;
  await appendEvents(trx, [
    { ...ev, accountId, type: 'second_factor_reset', outcome: 'info', details: { via } },
  ]);
}

export async function myFactor(ctx: Ctx, auth: AuthInfo) {
  const now = ctx.clock.now();
  const r = await ctx.db
    .selectFrom('accounts as a')
    .innerJoin('pharmacies as ph', 'ph.id', 'a.pharmacy_id')
    .leftJoin('second_factors as f', 'f.account_id', 'a.id')
    .select(['f.kind', 'f.enrolled_at', 'ph.factor_grace_ends_at', 'ph.factor_grace_extended_at'])
    .select((eb) =>
      eb
        .selectFrom('recovery_codes as rc')
        .select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('rc.account_id', '=', 'a.id')
        .where('rc.used_at', 'is', null)
        .as('left'),
    )
    .where('a.id', '=', auth.accountId)
    .executeTakeFirstOrThrow();
  const grace = r.factor_grace_ends_at
    ? graceDto({ endsAt: r.factor_grace_ends_at, extended: r.factor_grace_extended_at !== null })
    : null;
  return {
    kind: r.kind ?? null,
    enrolledAt: r.enrolled_at?.toISOString() ?? null,
    recoveryCodesLeft: Number(r.left ?? 0),
    grace,
    required: r.kind !== null || (r.factor_grace_ends_at !== null && r.factor_grace_ends_at <= now),
  };
}

export async function startEnrolment(ctx: Ctx, auth: AuthInfo, meta: RequestMeta) {
  const now = ctx.clock.now();
  const step = await openStep(
    ctx.db,
    {
      accountId: auth.accountId,
      email: auth.email,
      workstationId: requireWorkstation(meta),
      purpose: 'enrol',
      factorKind: null,
      fromSession: true,
    },
    now,
  );
  return { secondStep: step };
}

/** The holder resets a delegate's factor: it and its recovery codes are gone, both are mailed, both logs say so. */
export async function resetDelegateFactor(ctx: Ctx, auth: AuthInfo, accountId: string, meta: RequestMeta) {
  await requireCardHolder(ctx, auth, 'le faire');
  const now = ctx.clock.now();
  const d = await ctx.db
    .selectFrom('accounts')
    .select(['id', 'display_name', 'email'])
    .where('id', '=', accountId)
    .where('pharmacy_id', '=', auth.pharmacyId)
    .where('kind', '!=', 'holder')
    .executeTakeFirst();
  if (!d) throw new AppError('NOT_FOUND', 'Compte introuvable.');
  const ev = evMetaOf(meta, auth.workstationLabel);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('second_factors').where('account_id', '=', d.id).execute();
    await trx.deleteFrom('recovery_codes').where('account_id', '=', d.id).execute();
    const at = { ...ev, at: now, type: 'second_factor_reset' as const, method: 'card' as const };
    await appendEvents(trx, [
      { ...at, accountId: d.id, outcome: 'info', details: { by: auth.accountId } },
      { ...at, accountId: auth.accountId, outcome: 'success', details: { delegate: d.id } },
    ]);
    const m = { at: now, delegateName: d.display_name, holderName: auth.displayName };
    await enqueueMails(trx, now, [
      { ...factorResetMail({ ...m, name: d.display_name, toHolder: false }), accountId: d.id, to: d.email },
      {
        ...factorResetMail({ ...m, name: auth.displayName, toHolder: true }),
        accountId: auth.accountId,
        to: auth.email,
      },
    ]);
  });
  return { reset: true as const };
}

export async function extendPharmacyGrace(ctx: Ctx, auth: AuthInfo, meta: RequestMeta) {
  if (auth.kind !== 'holder')
    throw new AppError('FORBIDDEN', 'Seul le titulaire du compte de la pharmacie peut le faire.');
  const now = ctx.clock.now();
  const g = await extendGrace(ctx.db, auth.pharmacyId, now);
  if (!g) throw new AppError('CONFLICT', 'La période de transition a déjà été prolongée une fois.');
  await ctx.db.transaction().execute((trx) =>
    appendEvents(trx, [
      {
        ...evMetaOf(meta, auth.workstationLabel),
        accountId: auth.accountId,
        at: now,
        type: 'factor_grace_extended',
        method: 'system',
        outcome: 'info',
        details: { until: g.endsAt.toISOString() },
      },
    ]),
  );
  return graceDto(g);
}
