/**
 * The step store. A right password on an account that has a factor (or must enrol one) opens a *step*, named by a
 * single-use ticket (256 bits, only its SHA-256 stored, bound to the workstation, 15 minutes): neither a session nor
 * a refusal. Here: opening a step, what the workstation is told of it, and reading the live step a ticket names.
 */
import type { FactorKind, FactorMethod, SecondStep } from '../../../domain/backend-api';
import { newToken, sha256 } from '../../crypto';
import type { Db } from '../../db/connect';
import type { Database } from '../../db/schema';
import type { Transaction } from 'kysely';
import { maskedEmail } from './codes';

export const STEP_TTL_MS = 15 * 60_000;

export type Trx = Transaction<Database>;

/** Opens a step for an account whose password was just proven (or from a session, to enrol). */
export async function openStep(
  db: Db | Trx,
  p: {
    accountId: string;
    email: string;
    workstationId: string;
    purpose: 'verify' | 'enrol';
    factorKind: FactorKind | null;
    passwordChange?: boolean;
    fromSession?: boolean;
  },
  now: Date,
): Promise<SecondStep> {
  const ticket = newToken();
  const expiresAt = new Date(now.getTime() + STEP_TTL_MS);
  await db
    .insertInto('factor_steps')
    .values({
      ticket_hash: sha256(ticket),
      account_id: p.accountId,
      workstation_id: p.workstationId,
      purpose: p.purpose,
      password_change: p.passwordChange ?? false,
      from_session: p.fromSession ?? false,
      created_at: now,
      expires_at: expiresAt,
      mail_code_hash: null,
      mail_code_sent_at: null,
      mail_code_expires_at: null,
      mail_proven_at: null,
      pending_secret: null,
      done_at: null,
    })
    .execute();
  return secondStepOf(ticket, expiresAt, p);
}

/** What the workstation is told of a step it was given: its ticket, until when, the ways through and where mail goes. */
export function secondStepOf(
  ticket: string,
  expiresAt: Date,
  p: { purpose: 'verify' | 'enrol'; factorKind: FactorKind | null; email: string },
): SecondStep {
  const methods: FactorMethod[] =
    p.purpose === 'enrol' ? ['totp', 'email'] : [p.factorKind ?? 'email', 'recovery'];
  return {
    ticket,
    purpose: p.purpose,
    expiresAt: expiresAt.toISOString(),
    methods,
    mailTo: maskedEmail(p.email),
  };
}

export interface StepRow {
  id: string;
  account_id: string;
  purpose: 'verify' | 'enrol';
  password_change: boolean;
  from_session: boolean;
  expires_at: Date;
  mail_code_hash: string | null;
  mail_code_sent_at: Date | null;
  mail_code_expires_at: Date | null;
  mail_code_tries: number;
  mail_proven_at: Date | null;
  pending_secret: string | null;
  email: string;
  display_name: string;
  factor_kind: FactorKind | null;
}
/** The live step a ticket names, from the workstation it was given to. */
export async function liveStep(db: Db | Trx, ticket: string, workstationId: string, now: Date, lock = false) {
  let q = db
    .selectFrom('factor_steps as st')
    .innerJoin('accounts as a', 'a.id', 'st.account_id')
    .leftJoin('second_factors as f', 'f.account_id', 'st.account_id')
    .select([
      'st.id',
      'st.account_id',
      'st.purpose',
      'st.password_change',
      'st.from_session',
      'st.expires_at',
      'st.mail_code_hash',
      'st.mail_code_sent_at',
      'st.mail_code_expires_at',
      'st.mail_code_tries',
      'st.mail_proven_at',
      'st.pending_secret',
      'a.email',
      'a.display_name',
      'f.kind as factor_kind',
    ])
    .where('st.ticket_hash', '=', sha256(ticket))
    .where('st.workstation_id', '=', workstationId)
    .where('st.done_at', 'is', null)
    .where('st.expires_at', '>', now);
  if (lock) q = q.forUpdate('st');
  return (await q.executeTakeFirst()) as StepRow | undefined;
}
