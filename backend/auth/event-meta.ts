/** What the events of a request record about its workstation, and the workstation seen by a sign-in. */
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import type { RequestMeta } from '../http/meta';
import { checkWorkstationProof } from '../workstations/proofs';
import { recordWorkstationSeen } from '../workstations/workstations';

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
