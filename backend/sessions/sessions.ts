import type { z } from 'zod';
import type { AccountSummarySchema, SessionInfoSchema, SignInResponse } from '../../domain/backend-api';
import { sessionEnd, sessionExpiresAt } from '../../domain/policy';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import { newToken, sha256 } from '../crypto';
import { executeCompiled, type Db } from '../db/connect';
import type { AuthMethod, SessionRow } from '../db/schema';
import { appendEvents } from '../events/chain';
import type { RequestMeta } from '../http/meta';
import { checkSessionProof } from '../workstations/proofs';
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema';

export const SESSION_TOUCH_MS = 15_000;

export interface AuthInfo {
  sessionId: string;
  accountId: string;
  pharmacyId: string;
  kind: 'holder' | 'card_delegate' | 'password_delegate';
  displayName: string;
  email: string;
  identifier: string | null;
  scope: 'full' | 'password_change';
  workstationId: string;
  workstationLabel: string;
}

/** Who signed in, as the sign-in paths read it (accounts joined with their pharmacy). */
export interface SignedInAccount {
  id: string;
  kind: 'holder' | 'card_delegate' | 'password_delegate';
  display_name: string;
  pharmacy_id: string;
  pharmacy_name: string;
  finess: string;
}

/** The answer to every successful sign-in (password, card, e-CPS): the token, when the session ends, and who. */
export function signInResponse(
  ctx: Ctx,
  o: {
    token: string;
    sessionId: string;
    createdAt: Date;
    lastSeenAt: Date;
    passwordChangeRequired: boolean;
    account: SignedInAccount;
  },
): SignInResponse {
  return {
    token: o.token,
    sessionId: o.sessionId,
    expiresAt: sessionExpiresAt(
      o.createdAt,
      o.lastSeenAt,
      ctx.config.sessionIdleMs,
      ctx.config.sessionAbsoluteMs,
    ).toISOString(),
    absoluteExpiresAt: new Date(o.createdAt.getTime() + ctx.config.sessionAbsoluteMs).toISOString(),
    passwordChangeRequired: o.passwordChangeRequired,
    account: {
      id: o.account.id,
      kind: o.account.kind,
      displayName: o.account.display_name,
      pharmacy: { id: o.account.pharmacy_id, name: o.account.pharmacy_name, finess: o.account.finess },
    },
  };
}

export async function createSession(
  trx: Transaction<Database>,
  p: {
    accountId: string;
    workstationId: string;
    method: AuthMethod;
    scope: 'full' | 'password_change';
    meta: RequestMeta;
  },
  now: Date,
): Promise<{ token: string; session: SessionRow }> {
  const token = newToken();
  // A workstation belongs to the pharmacy whose account used it first (unless a session registered it before).
  await trx
    .updateTable('workstations')
    .set((eb) => ({
      pharmacy_id: eb.selectFrom('accounts').select('pharmacy_id').where('id', '=', p.accountId),
    }))
    .where('id', '=', p.workstationId)
    .where('pharmacy_id', 'is', null)
    .execute();
  const session = await trx
    .insertInto('sessions')
    .values({
      account_id: p.accountId,
      workstation_id: p.workstationId,
      token_hash: sha256(token),
      method: p.method,
      scope: p.scope,
      created_at: now,
      last_seen_at: now,
      revoked_at: null,
      end_reason: null,
      ip: p.meta.ip,
      app_version: p.meta.appVersion,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token, session };
}

/**
 * The session check's one statement (its SQL is committed in db/snapshots/session-check.sql): the session by its
 * token's hash, with its account and its workstation (label, withdrawal, registered key).
 */
export function sessionCheckQuery(db: Db, tokenHash: string) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .innerJoin('workstations as w', 'w.id', 's.workstation_id')
    .select([
      's.id',
      's.account_id',
      's.workstation_id',
      's.scope',
      's.created_at',
      's.last_seen_at',
      's.revoked_at',
      's.end_reason',
      'a.pharmacy_id',
      'a.kind',
      'a.display_name',
      'a.email',
      'a.identifier',
      'w.label',
      'w.revoked_at as ws_revoked_at',
      'w.public_key',
    ])
    .where('s.token_hash', '=', tokenHash);
}

/**
 * Checks a bearer token: known, not revoked, not idle for 1 h, not older than 4 h, same workstation, and on a
 * registered workstation the request's proof.
 */
export async function authenticate(
  ctx: Ctx,
  token: string | null,
  meta: RequestMeta,
  allowPasswordChange: boolean,
): Promise<AuthInfo> {
  if (!token) throw new AppError('UNAUTHENTICATED', 'Connexion requise.');
  const now = ctx.clock.now();
  const tokenHash = sha256(token);
  const [r] = await executeCompiled(ctx.db, { name: 'session-check', prepared: true }, [tokenHash], () =>
    sessionCheckQuery(ctx.db, tokenHash),
  );
  if (!r) throw new AppError('UNAUTHENTICATED', 'Session inconnue : reconnectez-vous.');
  if (r.revoked_at) {
    if (r.end_reason === 'idle')
      throw new AppError('SESSION_IDLE', 'Session terminée après 1 heure sans activité.');
    if (r.end_reason === 'expired') throw new AppError('SESSION_EXPIRED', 'Session terminée après 4 heures.');
    throw new AppError('SESSION_REVOKED', 'Session terminée.');
  }
  const end = sessionEnd(
    r.created_at,
    r.last_seen_at,
    now,
    ctx.config.sessionIdleMs,
    ctx.config.sessionAbsoluteMs,
  );
  if (end) {
    await ctx.db
      .updateTable('sessions')
      .set({ revoked_at: now, end_reason: end })
      .where('id', '=', r.id)
      .where('revoked_at', 'is', null)
      .execute();
    throw end === 'idle'
      ? new AppError('SESSION_IDLE', 'Session terminée après 1 heure sans activité.')
      : new AppError('SESSION_EXPIRED', 'Session terminée après 4 heures.');
  }
  if (meta.workstationId !== r.workstation_id)
    throw new AppError('UNAUTHENTICATED', 'Session ouverte sur un autre poste.');
  if (r.ws_revoked_at) throw new AppError('WORKSTATION_REVOKED', 'Ce poste a été retiré.');
  // The workstation id is no secret: on a registered workstation the token alone proves nothing, each request
  // carries a proof made with the workstation's key (a token copied from its keychain is useless elsewhere).
  if (r.public_key) await checkSessionProof(ctx, r.public_key, r.workstation_id, meta, now);
  if (r.scope === 'password_change' && !allowPasswordChange) {
    throw new AppError('PASSWORD_EXPIRED', 'Votre mot de passe a expiré : changez-le pour continuer.');
  }
  // Keep the session alive. Written at most every 15 s (a read-mostly API should not write on every call):
  // the idle end may thus come up to 15 s before the full hour.
  if (now.getTime() - r.last_seen_at.getTime() >= SESSION_TOUCH_MS) {
    await ctx.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', r.id).execute();
  }
  return {
    sessionId: r.id,
    accountId: r.account_id,
    pharmacyId: r.pharmacy_id,
    kind: r.kind,
    displayName: r.display_name,
    email: r.email,
    identifier: r.identifier,
    scope: r.scope,
    workstationId: r.workstation_id,
    workstationLabel: r.label,
  };
}

type SessionInfo = z.infer<typeof SessionInfoSchema>;

export async function listSessions(ctx: Ctx, auth: AuthInfo, onlyId?: string): Promise<SessionInfo[]> {
  const now = ctx.clock.now();
  let q = ctx.db
    .selectFrom('sessions as s')
    .innerJoin('workstations as w', 'w.id', 's.workstation_id')
    .select(['s.id', 's.workstation_id', 'w.label', 's.method', 's.scope', 's.created_at', 's.last_seen_at'])
    .where('s.account_id', '=', auth.accountId)
    .where('s.revoked_at', 'is', null)
    .where('s.created_at', '>', new Date(now.getTime() - ctx.config.sessionAbsoluteMs))
    .where('s.last_seen_at', '>', new Date(now.getTime() - ctx.config.sessionIdleMs));
  if (onlyId) q = q.where('s.id', '=', onlyId);
  const rows = await q.orderBy('s.created_at', 'desc').execute();
  return rows.map((r) => ({
    id: r.id,
    workstationId: r.workstation_id,
    workstationLabel: r.label,
    method: r.method,
    scope: r.scope,
    createdAt: r.created_at.toISOString(),
    lastSeenAt: r.last_seen_at.toISOString(),
    expiresAt: sessionExpiresAt(
      r.created_at,
      r.last_seen_at,
      ctx.config.sessionIdleMs,
      ctx.config.sessionAbsoluteMs,
    ).toISOString(),
    current: r.id === auth.sessionId,
  }));
}

/** Ends sessions of the signed-in account: one (by id), or all. Records one event per call. */
export async function revokeSessions(
  ctx: Ctx,
  auth: AuthInfo,
  meta: RequestMeta,
  which: { id: string } | 'all' | 'current',
): Promise<number> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    let q = trx
      .updateTable('sessions')
      .set({ revoked_at: now, end_reason: which === 'current' ? 'signed_out' : 'revoked' })
      .where('account_id', '=', auth.accountId)
      .where('revoked_at', 'is', null);
    if (which === 'current') q = q.where('id', '=', auth.sessionId);
    else if (which !== 'all') q = q.where('id', '=', which.id);
    const n = Number((await q.executeTakeFirst()).numUpdatedRows);
    if (which !== 'all' && which !== 'current' && n === 0)
      throw new AppError('NOT_FOUND', 'Session introuvable.');
    await appendEvents(trx, [
      {
        accountId: auth.accountId,
        at: now,
        type: which === 'current' ? 'sign_out' : 'session_revoked',
        outcome: 'success',
        workstationId: meta.workstationId,
        workstationLabel: auth.workstationLabel,
        ip: meta.ip,
        appVersion: meta.appVersion,
        details:
          which === 'all' ? { scope: 'all', count: n } : which === 'current' ? {} : { sessionId: which.id },
      },
    ]);
    return n;
  });
}

export async function accountSummary(
  ctx: Ctx,
  accountId: string,
): Promise<z.infer<typeof AccountSummarySchema>> {
  const r = await ctx.db
    .selectFrom('accounts as a')
    .innerJoin('pharmacies as p', 'p.id', 'a.pharmacy_id')
    .select(['a.id', 'a.kind', 'a.display_name', 'p.id as pharmacy_id', 'p.name', 'p.finess'])
    .where('a.id', '=', accountId)
    .executeTakeFirstOrThrow();
  return {
    id: r.id,
    kind: r.kind,
    displayName: r.display_name,
    pharmacy: { id: r.pharmacy_id, name: r.name, finess: r.finess },
  };
}
