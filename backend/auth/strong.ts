/**
 * What the card, e-CPS and unblock paths share: the workstation seen, the account found, the session opened after a
 * strong sign-in (card, e-CPS) and the unblock itself (state, event, e-mails, open report cases closed).
 */
import type { Transaction } from 'kysely';
import type { SignInResponse } from '../../domain/backend-api';
import { strongFactorsOnly, type SuspicionCause } from '../../domain/policy/unblock';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import type { AuthMethod, Database } from '../db/schema';
import { appendEvents } from '../events/chain';
import { type NewEvent } from '../events/hash';
import { enqueueMails, type OutgoingMail } from '../mail/outbox';
import { signInMail, accountUnblockedMail } from '../mail/templates';
import {
  BLOCK_EXPLANATION_INACTIVITY,
  blockAccounts,
  recordActivity,
  unblockPaths,
} from '../accounts/accounts';
import { BlockedError } from './errors';
import type { RequestMeta } from '../http/meta';
import { createSession, signInResponse } from '../sessions/sessions';
import { checkWorkstationProof, recordWorkstationSeen } from '../workstations/workstations';

type Trx = Transaction<Database>;

export interface EvMeta {
  workstationId: string | null;
  workstationLabel: string | null;
  ip: string | null;
  appVersion: string | null;
}

export const evMetaOf = (meta: RequestMeta, label: string | null = meta.workstationLabel): EvMeta => ({
  workstationId: meta.workstationId,
  workstationLabel: label,
  ip: meta.ip,
  appVersion: meta.appVersion,
});

/** How a refusal names the workstation in an account's events: its registered label, never one the client chose. */
export const UNKNOWN_WORKSTATION_LABEL = 'poste inconnu';

/** The events' metadata of a refusal: the registered label of the workstation, or « poste inconnu ». */
export async function refusalMeta(ctx: Ctx, meta: RequestMeta): Promise<EvMeta> {
  const ws = meta.workstationId
    ? await ctx.db
        .selectFrom('workstations')
        .select('label')
        .where('id', '=', meta.workstationId)
        .where('public_key', 'is not', null)
        .executeTakeFirst()
    : undefined;
  return evMetaOf(meta, ws?.label ?? UNKNOWN_WORKSTATION_LABEL);
}

export function requireWorkstation(meta: RequestMeta): string {
  if (!meta.workstationId) throw new AppError('INVALID_REQUEST', 'En-tête x-vigie-workstation manquant.');
  return meta.workstationId;
}

/** Records the workstation (first or last seen); a revoked workstation opens nothing. Returns its label. */
export async function seeWorkstation(ctx: Ctx, meta: RequestMeta, now: Date): Promise<string> {
  const id = requireWorkstation(meta);
  const ws = await recordWorkstationSeen(ctx.db, id, meta.workstationLabel, now);
  if (ws.revoked_at) throw new AppError('WORKSTATION_REVOKED', 'Ce poste a été retiré.');
  checkWorkstationProof(ws.public_key, id, meta, now);
  return ws.label;
}

export function accountQuery(db: Ctx['db'] | Trx) {
  return db
    .selectFrom('accounts as a')
    .innerJoin('pharmacies as ph', 'ph.id', 'a.pharmacy_id')
    .select((eb) => [
      'a.id',
      'a.kind',
      'a.display_name',
      'a.email',
      'a.created_at',
      'a.pharmacy_id',
      'a.state',
      'a.block_reason',
      'a.block_explanation',
      'a.suspicion_cause',
      'a.block_due_at',
      'a.identifier',
      'a.national_id',
      'a.postal_address',
      'ph.name as pharmacy_name',
      'ph.finess',
      'ph.address as pharmacy_address',
      eb
        .exists(
          eb
            .selectFrom('delegations as d')
            .select('d.id')
            .whereRef('d.delegate_account_id', '=', 'a.id')
            .where('d.revoked_at', 'is', null),
        )
        .as('delegated'),
    ]);
}
export type AccountRow = Awaited<ReturnType<ReturnType<typeof accountQuery>['executeTakeFirstOrThrow']>>;

/** Card and e-CPS: the account of a national id (holders and card delegates). */
export const accountByNationalId = (ctx: Ctx, nationalId: string) =>
  accountQuery(ctx.db).where('a.national_id', '=', nationalId).executeTakeFirst();
/** Password paths: the account of an identifier (Assurance Maladie number, FINESS or delegate identifier). */
export const accountByIdentifier = (ctx: Ctx, identifier: string) =>
  accountQuery(ctx.db).where('a.identifier', '=', identifier.trim()).executeTakeFirst();

/** The e-mail address of the pharmacy's holder (told when a delegate's account is unblocked). */
async function holderEmail(trx: Trx, pharmacyId: string): Promise<string | null> {
  const r = await trx
    .selectFrom('accounts')
    .select('email')
    .where('pharmacy_id', '=', pharmacyId)
    .where('kind', '=', 'holder')
    .executeTakeFirst();
  return r?.email ?? null;
}

/** Closes the account's open report cases (the account is back in its owner's hands). */
export async function closeOpenCases(
  trx: Trx,
  accountId: string,
  now: Date,
  note: string,
  ev: EvMeta,
): Promise<number> {
  const open = await trx
    .selectFrom('report_cases')
    .select(['id', 'steps'])
    .where('account_id', '=', accountId)
    .where('status', '<>', 'closed')
    .execute();
  for (const c of open) {
    const steps = [...c.steps, { status: 'closed' as const, at: now.toISOString(), note }];
    await trx
      .updateTable('report_cases')
      .set({ status: 'closed', closed_at: now, steps: JSON.stringify(steps) })
      .where('id', '=', c.id)
      .execute();
  }
  if (open.length > 0) {
    await appendEvents(
      trx,
      open.map((c) => ({
        ...ev,
        accountId,
        at: now,
        type: 'report_case_closed' as const,
        outcome: 'info' as const,
        details: { caseId: c.id, note },
      })),
    );
  }
  return open.length;
}

/**
 * Unblocks a locked (FOR UPDATE) blocked account: state, `account_unblocked` event, an e-mail to the account's
 * dedicated address (and to the holder's for a delegate), open report cases closed.
 */
export async function unblockLocked(
  trx: Trx,
  acc: Pick<
    AccountRow,
    | 'id'
    | 'kind'
    | 'display_name'
    | 'email'
    | 'pharmacy_id'
    | 'block_reason'
    | 'block_explanation'
    | 'suspicion_cause'
  >,
  method: Exclude<AuthMethod, 'password' | 'system'>,
  ev: EvMeta & { cardSerial?: string | null },
  now: Date,
): Promise<void> {
  await trx
    .updateTable('accounts')
    .set({
      state: 'active',
      block_reason: null,
      block_explanation: null,
      blocked_at: null,
      suspicion_cause: null,
    })
    .where('id', '=', acc.id)
    .execute();
  await appendEvents(trx, [
    {
      ...ev,
      accountId: acc.id,
      at: now,
      type: 'account_unblocked',
      method,
      outcome: 'success',
      details: {
        previousReason: acc.block_reason,
        previousCause: acc.suspicion_cause ?? null,
        previousExplanation: acc.block_explanation,
      },
    },
  ]);
  const mail = accountUnblockedMail({
    name: acc.display_name,
    at: now,
    method,
    workstationLabel: ev.workstationLabel,
  });
  const mails: OutgoingMail[] = [{ ...mail, accountId: acc.id, to: acc.email }];
  if (acc.kind !== 'holder') {
    const h = await holderEmail(trx, acc.pharmacy_id);
    if (h && h !== acc.email)
      mails.push({
        ...mail,
        text: `${mail.text}\n(Compte délégué de ${acc.display_name}.)\n`,
        accountId: acc.id,
        to: h,
      });
  }
  await enqueueMails(trx, now, mails);
  await closeOpenCases(
    trx,
    acc.id,
    now,
    `Compte débloqué (${method === 'card' ? 'carte CPS' : method === 'ecps' ? 'e-CPS' : method === 'security_key' ? 'clé de sécurité' : 'code reçu par courrier'}).`,
    ev,
  );
}

/** Blocks a locked account as suspicious, with the cause kept (the user's own report closes the weak paths). */
export async function blockSuspicious(
  trx: Trx,
  acc: { id: string; display_name: string; email: string },
  cause: 'failures' | 'concurrent_sessions' | 'user_report',
  explanation: string,
  now: Date,
  ev: Partial<NewEvent> = {},
): Promise<void> {
  await blockAccounts(trx, [acc], 'suspicious', explanation, now, { ...ev, details: undefined });
  await trx.updateTable('accounts').set({ suspicion_cause: cause }).where('id', '=', acc.id).execute();
}

export function blockedError(acc: {
  kind: AccountRow['kind'];
  block_reason: 'inactivity' | 'suspicious' | null;
  block_explanation: string | null;
  suspicion_cause?: string | null;
}) {
  let paths = unblockPaths(acc.kind);
  if (
    strongFactorsOnly({
      reason: acc.block_reason ?? 'inactivity',
      cause: (acc.suspicion_cause ?? null) as SuspicionCause | null,
    })
  ) {
    paths = paths.filter((p) => p !== 'security_key' && p !== 'ecps');
  }
  return new BlockedError(
    acc.block_reason ?? 'inactivity',
    acc.block_explanation ?? BLOCK_EXPLANATION_INACTIVITY,
    paths,
  );
}

/**
 * A strong sign-in (card or e-CPS) of a known account: blocks first if the block date has passed and the sweep was
 * late (so the log tells the truth), unblocks a blocked account (except e-CPS after the user's own report), restarts
 * the activity clock, opens the session, writes the events and the sign-in e-mail. One transaction.
 */
export async function strongSignIn(
  ctx: Ctx,
  account: AccountRow,
  method: 'card' | 'ecps',
  meta: RequestMeta,
  label: string,
  now: Date,
  extra: { cardSerial?: string | null; details?: Record<string, string | number | boolean | null> } = {},
): Promise<SignInResponse> {
  if (account.kind === 'password_delegate')
    throw new AppError('FORBIDDEN', 'Ce compte se connecte par identifiant et mot de passe.');
  if (account.kind === 'card_delegate' && !account.delegated) {
    throw new AppError('FORBIDDEN', "Votre délégation d'accès a été révoquée par le titulaire du compte.");
  }
  const workstationId = requireWorkstation(meta);
  const ev = { ...evMetaOf(meta, label), cardSerial: extra.cardSerial ?? null };
  const out = await ctx.db.transaction().execute(async (trx) => {
    const acc = await accountQuery(trx)
      .where('a.id', '=', account.id)
      .forUpdate(['a'])
      .executeTakeFirstOrThrow();
    let blocked = acc.state === 'blocked';
    if (!blocked && acc.block_due_at.getTime() <= now.getTime()) {
      await blockAccounts(trx, [acc], 'inactivity', BLOCK_EXPLANATION_INACTIVITY, now);
      Object.assign(acc, {
        state: 'blocked',
        block_reason: 'inactivity',
        block_explanation: BLOCK_EXPLANATION_INACTIVITY,
        suspicion_cause: null,
      });
      blocked = true;
    }
    if (blocked) {
      if (
        method === 'ecps' &&
        strongFactorsOnly({ reason: acc.block_reason ?? 'inactivity', cause: acc.suspicion_cause ?? null })
      ) {
        await appendEvents(trx, [
          {
            ...ev,
            accountId: acc.id,
            at: now,
            type: 'sign_in_refused_blocked',
            method,
            outcome: 'failure',
            details: { reason: 'suspicious', cause: 'user_report' },
          },
        ]);
        return { refused: blockedError(acc) } as const;
      }
      await unblockLocked(trx, acc, method, ev, now);
    }
    await recordActivity(trx, acc.id, acc.created_at, { method, workstationId }, now, ctx.config);
    const { token, session } = await createSession(
      trx,
      { accountId: acc.id, workstationId, method, scope: 'full', meta },
      now,
    );
    await appendEvents(trx, [
      {
        ...ev,
        accountId: acc.id,
        at: now,
        type: 'sign_in',
        method,
        outcome: 'success',
        details: { sessionId: session.id, ...(extra.details ?? {}) },
      },
    ]);
    await enqueueMails(trx, now, [
      {
        ...signInMail({ name: acc.display_name, at: now, method, workstationLabel: label }),
        accountId: acc.id,
        to: acc.email,
      },
    ]);
    return { token, session, acc } as const;
  });
  if ('refused' in out) throw out.refused;
  const s = out.session;
  return signInResponse(ctx, {
    token: out.token,
    sessionId: s.id,
    createdAt: s.created_at,
    lastSeenAt: s.last_seen_at,
    passwordChangeRequired: false,
    account: out.acc,
  });
}

/** A failed attempt written on the account it concerns (when there is one), in its own transaction. */
export async function logFailure(
  ctx: Ctx,
  accountId: string,
  e: Omit<NewEvent, 'accountId' | 'outcome'>,
): Promise<void> {
  await ctx.db.transaction().execute((trx) => appendEvents(trx, [{ ...e, accountId, outcome: 'failure' }]));
}
