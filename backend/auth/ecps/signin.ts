/**
 * e-CPS sign-in through Pro Santé Connect's back-channel flow: the backend starts the CIBA request (its client
 * secret never leaves it), the workstation polls this backend, which opens the session once the phone approved.
 *
 * Transactions live in PostgreSQL (`ecps_transactions`), so every backend instance answers the workstation's
 * polling: the workstation that started one, its expiry, its outcome and whether its session was handed out. The
 * instance that started a request polls Pro Santé Connect and writes the outcome in the row.
 *
 * A stranger who knows a national id gains nothing: a start answers the same whether an account has that id or
 * not (and only an account's id reaches a phone), a few starts per id per hour are allowed whoever asks, and a
 * request refused on the phone or left to expire never counts toward blocking the account.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { EcpsPollResponseSchema } from '../../../domain/backend-api';
import { AppError } from '../../../domain/result';
import type { Ctx } from '../../context';
import { bindingMessageFor, type EcpsClient, type EcpsFinal } from './client';
import type { RequestMeta } from '../../http/meta';
import { accountByNationalId } from '../../accounts/lookup';
import { logFailure, strongSignIn } from '../strong';
import { refusalMeta, requireWorkstation, seeWorkstation } from '../event-meta';
import type { SigninDeps } from '../deps';
import { securityLog } from '../security-log';

const unavailable = () => new AppError('NOT_FOUND', "La connexion e-CPS n'est pas proposée par ce serveur.");
/** Rows are kept this long after their start: the per-id limit counts the last hour. */
const KEEP_MS = 2 * 3600_000;

export async function startEcps(ctx: Ctx, deps: SigninDeps, nationalId: string, meta: RequestMeta) {
  const workstationId = requireWorkstation(meta);
  const client = await deps.ecps().catch(() => {
    throw unavailable();
  });
  const now = ctx.clock.now();
  const account = await accountByNationalId(ctx, nationalId);
  const id = randomUUID();
  const bindingMessage = bindingMessageFor();
  const expiresAt = new Date(now.getTime() + deps.ecpsTtlMs);
  // One statement: the row is written only while the id has had fewer starts than allowed in the last hour
  // (counted for every id, with an account or not, so the limit itself says nothing).
  const inserted = await sql<{ id: string }>`
    insert into ecps_transactions (id, workstation_id, national_id, account_id, binding_message, created_at, expires_at)
    select ${id}::uuid, ${workstationId}, ${nationalId}, ${account?.id ?? null}::uuid, ${bindingMessage}, ${now}::timestamptz, ${expiresAt}::timestamptz
    where (select count(*) from ecps_transactions where national_id = ${nationalId} and created_at > ${new Date(now.getTime() - 3600_000)}::timestamptz) < ${deps.ecpsStartsPerHour}
    returning id`.execute(ctx.db);
  if (inserted.rows.length === 0) {
    throw new AppError(
      'RATE_LIMITED',
      'Trop de demandes e-CPS pour ce professionnel : réessayez dans une heure.',
      true,
    );
  }
  // The request to Pro Santé Connect goes on after the answer: the answer takes the same time for every id.
  if (account) void forward(ctx, deps, client, id, nationalId, bindingMessage);
  if (Math.random() < 0.02) await purgeEcpsTransactions(ctx).catch(() => 0);
  return { transactionId: id, bindingMessage, expiresAt: expiresAt.toISOString() };
}

/** Forgets transactions started more than two hours ago (the retention job, and now and then a start). */
export async function purgeEcpsTransactions(ctx: Ctx): Promise<number> {
  const r = await ctx.db
    .deleteFrom('ecps_transactions')
    .where('created_at', '<', new Date(ctx.clock.now().getTime() - KEEP_MS))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

async function settle(ctx: Ctx, id: string, final: EcpsFinal) {
  await ctx.db
    .updateTable('ecps_transactions')
    .set({ status: final.status, final: JSON.stringify(final) })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

async function forward(
  ctx: Ctx,
  deps: SigninDeps,
  client: EcpsClient,
  id: string,
  nationalId: string,
  bindingMessage: string,
) {
  try {
    const tx = await client.startEcps(nationalId, bindingMessage);
    deps.ecpsLocal.set(id, tx.id);
    await settle(ctx, id, await tx.result);
  } catch (e) {
    const final: EcpsFinal =
      e instanceof AppError && e.code === 'ECPS_REFUSED'
        ? { status: 'refused', message: e.message }
        : { status: 'error', message: 'Pro Santé Connect ne répond pas.' };
    await settle(ctx, id, final).catch((err: unknown) => ctx.log.warn({ err }, 'e-CPS outcome not recorded'));
  } finally {
    deps.ecpsLocal.delete(id);
  }
}

async function txOf(ctx: Ctx, id: string, meta: RequestMeta) {
  const t = await ctx.db.selectFrom('ecps_transactions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!t || t.workstation_id !== meta.workstationId)
    throw new AppError('NOT_FOUND', 'Demande e-CPS inconnue.');
  return t;
}

/** Marks the transaction's outcome as handed out; false when it already was (single use across instances). */
async function consume(ctx: Ctx, id: string, now: Date): Promise<boolean> {
  const r = await ctx.db
    .updateTable('ecps_transactions')
    .set({ consumed_at: now })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return !!r;
}

export async function pollEcps(
  ctx: Ctx,
  deps: SigninDeps,
  id: string,
  meta: RequestMeta,
): Promise<z.input<typeof EcpsPollResponseSchema>> {
  const t = await txOf(ctx, id, meta);
  await deps.ecps().catch(() => {
    throw unavailable();
  });
  const now = ctx.clock.now();
  let final = t.final as EcpsFinal | null;
  if (t.status === 'pending') {
    if (t.expires_at.getTime() > now.getTime())
      return { status: 'pending', bindingMessage: t.binding_message, expiresAt: t.expires_at.toISOString() };
    final = { status: 'expired' };
    await settle(ctx, id, final);
  }
  final ??= { status: 'error', message: 'Pro Santé Connect ne répond pas.' };
  if (final.status !== 'approved') {
    if (!(await consume(ctx, id, now))) throw new AppError('ECPS_EXPIRED', 'La demande e-CPS est terminée.');
    if (final.status === 'refused' && t.account_id) {
      // Refused on the phone: the holder's own answer, shown in her events; it never counts toward a block.
      await logFailure(ctx, t.account_id, {
        ...(await refusalMeta(ctx, meta)),
        at: now,
        type: 'sign_in_failed',
        method: 'ecps',
        details: { reason: 'ecps_refused' },
      });
    } else if (final.status !== 'cancelled') {
      await securityLog(ctx, meta, now, {
        kind: `ecps_${final.status}`,
        method: 'ecps',
        subject: t.national_id,
        accountId: t.account_id,
      });
    }
    if (final.status === 'refused') throw new AppError('ECPS_REFUSED', final.message);
    if (final.status === 'expired')
      throw new AppError('ECPS_EXPIRED', "La demande e-CPS n'a pas été validée à temps sur le téléphone.");
    if (final.status === 'cancelled') throw new AppError('CANCELLED', 'Connexion e-CPS annulée.');
    throw new AppError('ECPS_REFUSED', final.message);
  }
  if (!(await consume(ctx, id, now)))
    throw new AppError('ECPS_EXPIRED', 'Cette demande e-CPS a déjà servi. Recommencez.');
  const account =
    t.account_id && final.nationalId === t.national_id
      ? await accountByNationalId(ctx, t.national_id)
      : undefined;
  if (!account)
    throw new AppError('CARD_HOLDER_UNKNOWN', "Aucun compte amelipro n'est associé à cette e-CPS.");
  const label = await seeWorkstation(ctx, meta, now);
  const session = await strongSignIn(ctx, account, 'ecps', meta, label, now, { details: { acr: final.acr } });
  return { status: 'approved', session };
}

export async function cancelEcps(ctx: Ctx, deps: SigninDeps, id: string, meta: RequestMeta) {
  await txOf(ctx, id, meta);
  const client = await deps.ecps().catch(() => {
    throw unavailable();
  });
  await ctx.db
    .updateTable('ecps_transactions')
    .set({ status: 'cancelled', final: JSON.stringify({ status: 'cancelled' }) })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
  const local = deps.ecpsLocal.get(id);
  if (local) client.cancel(local);
  return { cancelled: true as const };
}
