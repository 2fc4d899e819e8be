import { sql, type Transaction } from 'kysely';
import type { AccountStatus } from '../../domain/backend-api';
import {
  blockDate,
  computeStatus,
  nextReminder,
  PASSWORD_MAX_AGE_MONTHS,
  addParisMonths,
} from '../../domain/policy';
import type { BackendConfig, Ctx } from '../context';
import type { Db } from '../db/connect';
import type { AccountKind, AuthMethod, Database, PostalAddress } from '../db/schema';
import { appendEvents, createChain } from '../events/chain';
import { type NewEvent } from '../events/hash';
import { enqueueMails, type OutgoingMail } from '../mail/outbox';
import { blockedMail } from '../mail/templates';
import { delegationEndsOn } from '../../domain/policy/delegation-end';

type Trx = Transaction<Database>;

/** The stored deadlines derived from the last activity: kept in columns so that jobs use index scans. */
export function deadlines(lastActivityAt: Date | null, createdAt: Date, now: Date, config: BackendConfig) {
  const due = blockDate(lastActivityAt, createdAt);
  return { block_due_at: due, next_reminder_at: nextReminder(due, now, config.mailReminderDays)?.at ?? null };
}

export const passwordExpiry = (setAt: Date): Date => addParisMonths(setAt, PASSWORD_MAX_AGE_MONTHS);

/**
 * The new password becomes the current one (the old one stays in the history, for the no-reuse rule) and every
 * open session of the account ends, except `keepSession` (the one that changed it, when it keeps its rights).
 */
export async function replacePassword(
  trx: Trx,
  accountId: string,
  hash: string,
  now: Date,
  keepSession?: string,
): Promise<void> {
  await trx
    .updateTable('passwords')
    .set({ current: false })
    .where('account_id', '=', accountId)
    .where('current', '=', true)
    .execute();
  await trx
    .insertInto('passwords')
    .values({ account_id: accountId, hash, created_at: now, expires_at: passwordExpiry(now), current: true })
    .execute();
  let end = trx
    .updateTable('sessions')
    .set({ revoked_at: now, end_reason: 'password_changed' })
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null);
  if (keepSession) end = end.where('id', '<>', keepSession);
  await end.execute();
}

export const BLOCK_EXPLANATION_INACTIVITY = 'Compte non utilisé depuis plus de 6 mois.';

export interface NewPharmacy {
  finess: string;
  amNumber: string;
  name: string;
  address: PostalAddress;
}

export async function createPharmacy(trx: Trx, p: NewPharmacy, now: Date): Promise<string> {
  const r = await trx
    .insertInto('pharmacies')
    .values({
      finess: p.finess,
      am_number: p.amNumber,
      name: p.name,
      address: JSON.stringify(p.address),
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export interface NewAccountInput {
  pharmacyId: string;
  kind: AccountKind;
  displayName: string;
  nationalId?: string | null;
  identifier?: string | null;
  email: string;
  postalAddress?: PostalAddress | null;
  securityKeyHash?: string | null;
  passwordHash?: string | null;
  createdBy?: string | null;
}

/** Creates an account with its event chain, its first events and (if given) its first password. */
export async function createAccount(
  trx: Trx,
  a: NewAccountInput,
  now: Date,
  config: BackendConfig,
): Promise<string> {
  const { id } = await trx
    .insertInto('accounts')
    .values({
      pharmacy_id: a.pharmacyId,
      kind: a.kind,
      display_name: a.displayName,
      national_id: a.nationalId ?? null,
      identifier: a.identifier ?? null,
      email: a.email,
      postal_address: JSON.stringify(a.postalAddress ?? null),
      security_key_hash: a.securityKeyHash ?? null,
      state: 'active',
      block_reason: null,
      block_explanation: null,
      ...deadlines(null, now, now, config),
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await createChain(trx, id);
  const events: NewEvent[] = [
    {
      accountId: id,
      at: now,
      type: 'account_created',
      outcome: 'info',
      method: 'system',
      details: { kind: a.kind, createdBy: a.createdBy ?? null },
    },
  ];
  if (a.passwordHash) {
    await trx
      .insertInto('passwords')
      .values({
        account_id: id,
        hash: a.passwordHash,
        created_at: now,
        expires_at: passwordExpiry(now),
        current: true,
      })
      .execute();
    events.push({ accountId: id, at: now, type: 'password_set', outcome: 'success', method: 'system' });
  }
  if (a.securityKeyHash)
    events.push({ accountId: id, at: now, type: 'security_key_set', outcome: 'success', method: 'system' });
  await appendEvents(trx, events);
  return id;
}

export interface Activity {
  method: AuthMethod;
  workstationId: string | null;
}

/** A successful sign-in (any method): the activity clock restarts. */
export async function recordActivity(
  trx: Trx,
  accountId: string,
  createdAt: Date,
  act: Activity,
  now: Date,
  config: BackendConfig,
) {
  await trx
    .updateTable('accounts')
    .set({
      last_activity_at: now,
      last_activity_method: act.method,
      last_activity_workstation_id: act.workstationId,
      ...deadlines(now, createdAt, now, config),
    })
    .where('id', '=', accountId)
    .execute();
}

export interface BlockTarget {
  id: string;
  display_name: string;
  email: string;
}

/**
 * Blocks accounts (in the caller's transaction): state, an `account_blocked` event, a mail in the outbox,
 * and every open session ended. The rows must already be locked by the caller (FOR UPDATE).
 */
export async function blockAccounts(
  trx: Trx,
  targets: BlockTarget[],
  reason: 'inactivity' | 'suspicious',
  explanation: string,
  now: Date,
  meta: Partial<NewEvent> = {},
): Promise<void> {
  if (targets.length === 0) return;
  const ids = targets.map((t) => t.id);
  await trx
    .updateTable('accounts')
    .set({
      state: 'blocked',
      block_reason: reason,
      block_explanation: explanation,
      blocked_at: now,
      next_reminder_at: null,
    })
    .where('id', 'in', ids)
    .execute();
  await trx
    .updateTable('sessions')
    .set({ revoked_at: now, end_reason: 'account_blocked' })
    .where('account_id', 'in', ids)
    .where('revoked_at', 'is', null)
    .execute();
  await appendEvents(
    trx,
    targets.map((t) => ({
      method: 'system',
      ...meta,
      accountId: t.id,
      at: now,
      type: 'account_blocked',
      outcome: 'info',
      details: { reason, explanation },
    })),
  );
  const mails: OutgoingMail[] = targets.map((t) => ({
    ...blockedMail({ name: t.display_name, at: now, reason, explanation }),
    accountId: t.id,
    to: t.email,
  }));
  await enqueueMails(trx, now, mails);
}

/** The ways out of a block offered to this kind of account, in the insurer's order. */
export function unblockPaths(kind: AccountKind): AccountStatus['unblockPaths'] {
  if (kind === 'password_delegate') return ['security_key', 'postal_code'];
  if (kind === 'card_delegate') return ['card', 'ecps'];
  return ['card', 'ecps', 'security_key', 'postal_code'];
}

function statusQuery(db: Db | Trx) {
  return db
    .selectFrom('accounts as a')
    .leftJoin('workstations as w', 'w.id', 'a.last_activity_workstation_id')
    .leftJoin('passwords as p', (j) => j.onRef('p.account_id', '=', 'a.id').on('p.current', '=', true))
    .leftJoin('delegations as dl', (j) =>
      j.onRef('dl.delegate_account_id', '=', 'a.id').on('dl.revoked_at', 'is', null),
    )
    .leftJoin('second_factors as sf', 'sf.account_id', 'a.id')
    .select([
      'a.id',
      'a.kind',
      'a.display_name',
      'a.state',
      'a.block_reason',
      'a.block_explanation',
      'a.last_activity_at',
      'a.last_activity_method',
      'a.last_activity_workstation_id',
      'a.created_at',
      'w.label as workstation_label',
      'p.expires_at as password_expires_at',
      'p.id as password_id',
      'dl.ends_at as delegation_ends_at',
      'a.card_not_after',
      'sf.kind as factor_kind',
      'sf.enrolled_at as factor_enrolled_at',
    ]);
}
type StatusRow = Awaited<ReturnType<ReturnType<typeof statusQuery>['executeTakeFirstOrThrow']>>;

export function toStatus(r: StatusRow, now: Date, config: BackendConfig): AccountStatus {
  const s = computeStatus({
    state: r.state,
    blockReason: r.block_reason,
    lastActivityAt: r.last_activity_at,
    createdAt: r.created_at,
    now,
    reminderDays: config.reminderDays,
  });
  return {
    accountId: r.id,
    kind: r.kind,
    displayName: r.display_name,
    state: s.state,
    reason: s.reason,
    explanation: s.mustBlock
      ? BLOCK_EXPLANATION_INACTIVITY
      : r.state === 'blocked'
        ? (r.block_explanation ?? null)
        : null,
    blockAt: s.blockAt.toISOString(),
    daysLeft: s.daysLeft,
    nextReminderAt: s.nextReminderAt?.toISOString() ?? null,
    nextReminderDays: s.nextReminderDays,
    lastActivity:
      r.last_activity_at && r.last_activity_method
        ? {
            at: r.last_activity_at.toISOString(),
            method: r.last_activity_method,
            workstationId: r.last_activity_workstation_id,
            workstationLabel: r.workstation_label ?? null,
          }
        : null,
    createdAt: r.created_at.toISOString(),
    unblockPaths: s.state === 'blocked' ? unblockPaths(r.kind) : [],
    delegationEndsOn: r.delegation_ends_at ? delegationEndsOn(r.delegation_ends_at) : null,
    cardNotAfter: r.card_not_after?.toISOString() ?? null,
    passwordExpiresAt: r.password_expires_at?.toISOString() ?? null,
    passwordWithdrawn: r.kind === 'password_delegate' && !r.password_id,
    secondFactor:
      r.factor_kind && r.factor_enrolled_at
        ? { kind: r.factor_kind, enrolledAt: r.factor_enrolled_at.toISOString() }
        : null,
  };
}

export async function statusOf(ctx: Ctx, accountId: string): Promise<AccountStatus | null> {
  const r = await statusQuery(ctx.db).where('a.id', '=', accountId).executeTakeFirst();
  return r ? toStatus(r, ctx.clock.now(), ctx.config) : null;
}

export async function statusesOfPharmacy(ctx: Ctx, pharmacyId: string): Promise<AccountStatus[]> {
  const rows = await statusQuery(ctx.db)
    .where('a.pharmacy_id', '=', pharmacyId)
    .orderBy(sql`case a.kind when 'holder' then 0 else 1 end`)
    .orderBy('a.display_name')
    .execute();
  const now = ctx.clock.now();
  return rows.map((r) => toStatus(r, now, ctx.config));
}

export async function statusesOf(ctx: Ctx, ids: string[]): Promise<Map<string, AccountStatus>> {
  if (ids.length === 0) return new Map();
  const rows = await statusQuery(ctx.db).where('a.id', 'in', ids).execute();
  const now = ctx.clock.now();
  return new Map(rows.map((r) => [r.id, toStatus(r, now, ctx.config)]));
}
