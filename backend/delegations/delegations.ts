import type { z } from 'zod';
import type { DelegationSchema, GrantDelegationRequestSchema } from '../../domain/backend-api';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import { appendEvents } from '../events/chain';
import type { PasswordHasher } from '../auth/passwords';
import { passwordStrength, personalData } from '../auth/passwords';
import { createAccount, statusesOf } from '../accounts/accounts';
import { PasswordPolicyError } from '../auth/errors';
import type { RequestMeta } from '../http/meta';
import type { AuthInfo } from '../sessions/sessions';
import { evMetaOf } from '../auth/event-meta';
import {
  delegationEndReminderAt,
  delegationEndsAt,
  delegationEndsOn,
  endDateAllowed,
} from '../../domain/policy/delegation-end';
import type { Database, DelegationsTable } from '../db/schema';
import type { Selectable, Transaction } from 'kysely';

type Delegation = z.infer<typeof DelegationSchema>;

function requireHolder(auth: AuthInfo) {
  if (auth.kind !== 'holder')
    throw new AppError('FORBIDDEN', 'Seul le titulaire du compte gère les délégations.');
}

export async function listDelegations(
  ctx: Ctx,
  auth: AuthInfo,
  includeRevoked = false,
): Promise<Delegation[]> {
  requireHolder(auth);
  let q = ctx.db.selectFrom('delegations').selectAll().where('holder_account_id', '=', auth.accountId);
  if (!includeRevoked) q = q.where('revoked_at', 'is', null);
  const rows = await q.orderBy('granted_at', 'desc').execute();
  const statuses = await statusesOf(
    ctx,
    rows.map((r) => r.delegate_account_id),
  );
  return rows.map((r) => toDelegation(r, statuses.get(r.delegate_account_id)!));
}

function toDelegation(r: Selectable<DelegationsTable>, delegate: Delegation['delegate']): Delegation {
  return {
    id: r.id,
    grantedAt: r.granted_at.toISOString(),
    grantedBy: r.granted_by,
    revokedAt: r.revoked_at?.toISOString() ?? null,
    endsOn: r.ends_at ? delegationEndsOn(r.ends_at) : null,
    delegate,
  };
}

/** The end instant and the reminder of a chosen last day; a day already over is refused. */
function endColumns(endsOn: string | null | undefined, now: Date) {
  if (!endsOn) return { ends_at: null, end_reminder_at: null };
  if (!endDateAllowed(endsOn, now))
    throw new AppError('INVALID_REQUEST', 'La fin de contrat doit être aujourd’hui ou plus tard.');
  const endsAt = delegationEndsAt(endsOn);
  const reminderAt = delegationEndReminderAt(endsAt);
  // An end less than 7 days away is reminded at once: the holder sees it on the pharmacy screen anyway.
  return { ends_at: endsAt, end_reminder_at: reminderAt.getTime() > now.getTime() ? reminderAt : now };
}

async function oneDelegation(ctx: Ctx, id: string): Promise<Delegation> {
  const r = await ctx.db.selectFrom('delegations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const statuses = await statusesOf(ctx, [r.delegate_account_id]);
  return toDelegation(r, statuses.get(r.delegate_account_id)!);
}

/** Grants delegated access: creates the delegate's account (card holder or accountant with a password). */
export async function grantDelegation(
  ctx: Ctx,
  hasher: PasswordHasher,
  auth: AuthInfo,
  input: z.output<typeof GrantDelegationRequestSchema>,
  meta: RequestMeta,
): Promise<Delegation> {
  requireHolder(auth);
  const now = ctx.clock.now();
  const end = endColumns(input.endsOn, now);
  let passwordHash: string | null = null;
  if (input.kind === 'password_delegate') {
    const personal = personalData(input);
    const report = await passwordStrength(
      ctx.strength,
      input.initialPassword,
      personal,
      ctx.config.minPasswordScore,
    );
    if (!report.acceptable) throw new PasswordPolicyError(report.problems);
    passwordHash = await hasher.hash(input.initialPassword);
  }
  const taken = await ctx.db
    .selectFrom('accounts')
    .select('id')
    .where((eb) =>
      input.kind === 'card_delegate'
        ? eb('national_id', '=', input.nationalId)
        : eb('identifier', '=', input.identifier),
    )
    .executeTakeFirst();
  if (taken) throw new AppError('CONFLICT', 'Un compte existe déjà avec cet identifiant.');
  const id = await ctx.db.transaction().execute(async (trx) => {
    const accountId = await createAccount(
      trx,
      {
        pharmacyId: auth.pharmacyId,
        kind: input.kind,
        displayName: input.displayName,
        nationalId: input.kind === 'card_delegate' ? input.nationalId : null,
        identifier: input.kind === 'password_delegate' ? input.identifier : null,
        email: input.email,
        passwordHash,
        createdBy: auth.accountId,
      },
      now,
      ctx.config,
    );
    const d = await trx
      .insertInto('delegations')
      .values({
        holder_account_id: auth.accountId,
        delegate_account_id: accountId,
        granted_at: now,
        granted_by: auth.accountId,
        revoked_at: null,
        revoked_by: null,
        ...end,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ev = { at: now, ...evMetaOf(meta, auth.workstationLabel) };
    await appendEvents(trx, [
      {
        ...ev,
        accountId: auth.accountId,
        type: 'delegation_granted',
        outcome: 'success',
        details: {
          delegationId: d.id,
          delegateAccountId: accountId,
          kind: input.kind,
          endsOn: input.endsOn ?? null,
        },
      },
      {
        ...ev,
        accountId,
        type: 'delegation_granted',
        outcome: 'info',
        details: { delegationId: d.id, holderAccountId: auth.accountId, endsOn: input.endsOn ?? null },
      },
    ]);
    return d.id;
  });
  return oneDelegation(ctx, id);
}

/** Revokes a delegation: the delegate's sessions end at once. */
export async function revokeDelegation(
  ctx: Ctx,
  auth: AuthInfo,
  id: string,
  meta: RequestMeta,
): Promise<Delegation> {
  requireHolder(auth);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const d = await lockLiveDelegation(trx, id, auth.accountId);
    await trx
      .updateTable('delegations')
      .set({ revoked_at: now, revoked_by: auth.accountId })
      .where('id', '=', id)
      .execute();
    await trx
      .updateTable('sessions')
      .set({ revoked_at: now, end_reason: 'delegation_revoked' })
      .where('account_id', '=', d.delegate_account_id)
      .where('revoked_at', 'is', null)
      .execute();
    const ev = { at: now, ...evMetaOf(meta, auth.workstationLabel) };
    await appendEvents(trx, [
      {
        ...ev,
        accountId: auth.accountId,
        type: 'delegation_revoked',
        outcome: 'success',
        details: { delegationId: id, delegateAccountId: d.delegate_account_id },
      },
      {
        ...ev,
        accountId: d.delegate_account_id,
        type: 'delegation_revoked',
        outcome: 'info',
        details: { delegationId: id },
      },
    ]);
  });
  return oneDelegation(ctx, id);
}

/** A delegate whose delegation was revoked cannot sign in any more (checked at sign-in). */
export async function hasActiveDelegation(ctx: Ctx, accountId: string): Promise<boolean> {
  const r = await ctx.db
    .selectFrom('delegations')
    .select('id')
    .where('delegate_account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return r !== undefined;
}

/**
 * Sets, changes or removes a delegation's last day (« fin de contrat »). The access ends at the end of that day,
 * Paris time (the end job revokes it); the holder is reminded 7 days before. Written in both accounts' events.
 */
export async function setDelegationEnd(
  ctx: Ctx,
  auth: AuthInfo,
  id: string,
  endsOn: string | null,
  meta: RequestMeta,
): Promise<Delegation> {
  requireHolder(auth);
  const now = ctx.clock.now();
  const end = endColumns(endsOn, now);
  await ctx.db.transaction().execute(async (trx) => {
    const d = await lockLiveDelegation(trx, id, auth.accountId);
    await trx.updateTable('delegations').set(end).where('id', '=', id).execute();
    const ev = { at: now, ...evMetaOf(meta, auth.workstationLabel) };
    const previous = d.ends_at ? delegationEndsOn(d.ends_at) : null;
    await appendEvents(trx, [
      {
        ...ev,
        accountId: auth.accountId,
        type: 'delegation_end_set',
        outcome: 'success',
        details: { delegationId: id, delegateAccountId: d.delegate_account_id, endsOn, previous },
      },
      {
        ...ev,
        accountId: d.delegate_account_id,
        type: 'delegation_end_set',
        outcome: 'info',
        details: { delegationId: id, endsOn, previous },
      },
    ]);
  });
  return oneDelegation(ctx, id);
}

/** The holder's own delegation `id`, still in force, locked for the change; NOT_FOUND or CONFLICT otherwise. */
async function lockLiveDelegation(trx: Transaction<Database>, id: string, holderAccountId: string) {
  const d = await trx
    .selectFrom('delegations')
    .selectAll()
    .where('id', '=', id)
    .where('holder_account_id', '=', holderAccountId)
    .forUpdate()
    .executeTakeFirst();
  if (!d) throw new AppError('NOT_FOUND', 'Délégation introuvable.');
  if (d.revoked_at) throw new AppError('CONFLICT', 'Délégation déjà révoquée.');
  return d;
}
