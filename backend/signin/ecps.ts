/**
 * e-CPS sign-in through Pro Santé Connect's back-channel flow: the backend starts the CIBA request (its client
 * secret never leaves it), the workstation polls this backend, which opens the session once the phone approved.
 * The transaction is bound to the workstation that started it and hands out one session only.
 * Transactions live in this backend instance's memory (EcpsClient): behind a load balancer, keep a workstation on
 * one instance for the two minutes of a request.
 */
import { z } from 'zod';
import type { EcpsPollResponseSchema } from '../../domain/backend-api';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import { bindingMessageFor } from '../ecps/client';
import type { RequestMeta } from '../services/meta';
import { accountByNationalId, evMetaOf, logFailure, requireWorkstation, seeWorkstation, strongSignIn } from './common';
import type { SigninDeps } from './deps';

const unavailable = () => new AppError('NOT_FOUND', "La connexion e-CPS n'est pas proposée par ce serveur.");

export async function startEcps(ctx: Ctx, deps: SigninDeps, nationalId: string, meta: RequestMeta) {
  const workstationId = requireWorkstation(meta);
  const client = await deps.ecps().catch(() => {
    throw unavailable();
  });
  const tx = await client.startEcps(nationalId, bindingMessageFor());
  deps.ecpsTx.set(tx.id, { workstationId, nationalId, consumed: false });
  return { transactionId: tx.id, bindingMessage: tx.bindingMessage, expiresAt: tx.expiresAt.toISOString() };
}

function txOf(deps: SigninDeps, id: string, meta: RequestMeta) {
  const t = deps.ecpsTx.get(id);
  if (!t || t.workstationId !== meta.workstationId) throw new AppError('NOT_FOUND', 'Demande e-CPS inconnue.');
  return t;
}

export async function pollEcps(ctx: Ctx, deps: SigninDeps, id: string, meta: RequestMeta): Promise<z.input<typeof EcpsPollResponseSchema>> {
  const t = txOf(deps, id, meta);
  const client = await deps.ecps().catch(() => {
    throw unavailable();
  });
  const st = client.status(id);
  if (!st) throw new AppError('ECPS_EXPIRED', 'La demande e-CPS a expiré. Recommencez.');
  if (st.status === 'pending') return { status: 'pending', bindingMessage: st.bindingMessage, expiresAt: st.expiresAt.toISOString() };
  const now = ctx.clock.now();
  const account = await accountByNationalId(ctx, t.nationalId);
  if (st.status !== 'approved') {
    if (t.consumed) throw new AppError('ECPS_EXPIRED', 'La demande e-CPS est terminée.');
    t.consumed = true;
    const reason = st.status;
    if (account && st.status !== 'cancelled') {
      await logFailure(ctx, account.id, { ...evMetaOf(meta), at: now, type: 'sign_in_failed', method: 'ecps', details: { reason: `ecps_${reason}` } });
    }
    if (st.status === 'refused') throw new AppError('ECPS_REFUSED', st.message);
    if (st.status === 'expired') throw new AppError('ECPS_EXPIRED', "La demande e-CPS n'a pas été validée à temps sur le téléphone.");
    if (st.status === 'cancelled') throw new AppError('CANCELLED', 'Connexion e-CPS annulée.');
    throw new AppError('ECPS_REFUSED', st.message);
  }
  if (t.consumed) throw new AppError('ECPS_EXPIRED', 'Cette demande e-CPS a déjà servi. Recommencez.');
  t.consumed = true;
  if (!account) throw new AppError('CARD_HOLDER_UNKNOWN', "Aucun compte amelipro n'est associé à cette e-CPS.");
  const label = await seeWorkstation(ctx, meta, now);
  const session = await strongSignIn(ctx, account, 'ecps', meta, label, now, { details: { acr: st.acr } });
  return { status: 'approved', session };
}

export async function cancelEcps(ctx: Ctx, deps: SigninDeps, id: string, meta: RequestMeta) {
  txOf(deps, id, meta);
  const client = await deps.ecps().catch(() => {
    throw unavailable();
  });
  client.cancel(id);
  return { cancelled: true as const };
}
