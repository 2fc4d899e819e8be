/**
 * A fresh start for a password delegate whose password a report withdrew (./reports.ts): the holder, signed in with
 * her card or e-CPS, sends a one-time code to the delegate's dedicated address; the delegate types it with a new
 * password. The person reported knows the old password and maybe the personal data of the security key, but holds
 * neither the holder's card nor the delegate's mailbox. The code is stored as a SHA-256 only, one pending per
 * account (a new one supersedes the last), single use, valid 48 hours; wrong codes are throttled per source and per
 * identifier, never spend the code, and get the same answer for every identifier, padded to the refusal floor.
 */
import { randomInt } from 'node:crypto';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import { sha256 } from '../crypto';
import { appendEvents } from '../events/chain';
import { enqueueMails } from '../mail/outbox';
import { freshStartMail, passwordChangedMail } from '../mail/templates';
import { acceptNewPassword } from '../auth/new-password';
import type { PasswordHasher } from '../auth/passwords';
import { replacePassword } from '../accounts/accounts';
import type { RequestMeta } from '../http/meta';
import { requireCardHolder } from '../sessions/holder';
import type { AuthInfo } from '../sessions/sessions';
import { accountByIdentifier, accountQuery } from '../accounts/lookup';
import { closeOpenCases } from '../accounts/unblock';
import { evMetaOf } from '../auth/event-meta';
import { padToFloor } from '../auth/floor';
import { recordCodeRefusal, reserveCodeAttempt } from './code-attempts';

export const FRESH_START_TTL_MS = 48 * 3600_000;

/** No 0/O, 1/I/L: read from a mail and typed by hand. 12 characters of 31: about 59 bits. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
function newCode(): string {
  const c = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${c.slice(0, 4)}-${c.slice(4, 8)}-${c.slice(8)}`;
}
const codeHash = (code: string) => sha256(`fresh-start:${code.toUpperCase().replace(/[^A-Z0-9]/g, '')}`);

/** « c•••@exemple.fr »: enough for the holder to recognise the address, not to read it out to a caller. */
const masked = (email: string) => {
  const [user = '', domain = ''] = email.split('@');
  return `${user.slice(0, 1)}•••@${domain}`;
};

/** The holder sends the code. Her session must have been opened with her card or e-CPS. */
export async function grantFreshStart(ctx: Ctx, auth: AuthInfo, accountId: string, meta: RequestMeta) {
  const now = ctx.clock.now();
  await requireCardHolder(ctx, auth, 'donner un nouveau départ');
  const acc = await accountQuery(ctx.db)
    .where('a.id', '=', accountId)
    .where('a.pharmacy_id', '=', auth.pharmacyId)
    .where('a.kind', '=', 'password_delegate')
    .executeTakeFirst();
  const delegated =
    acc &&
    (await ctx.db
      .selectFrom('delegations')
      .select('id')
      .where('delegate_account_id', '=', acc.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst());
  if (!acc || !delegated) throw new AppError('NOT_FOUND', 'Compte introuvable.');
  const current = await ctx.db
    .selectFrom('passwords')
    .select('id')
    .where('account_id', '=', acc.id)
    .where('current', '=', true)
    .executeTakeFirst();
  if (current)
    throw new AppError(
      'CONFLICT',
      "Ce compte a un mot de passe en service : le nouveau départ sert après un signalement qui l'a retiré.",
    );
  if (acc.state === 'blocked')
    throw new AppError(
      'CONFLICT',
      'Ce compte est bloqué : il se débloque avec le code envoyé par courrier à son adresse postale.',
    );
  const code = newCode();
  const expiresAt = new Date(now.getTime() + FRESH_START_TTL_MS);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('fresh_starts')
      .set({ superseded_at: now })
      .where('account_id', '=', acc.id)
      .where('used_at', 'is', null)
      .where('superseded_at', 'is', null)
      .execute();
    await trx
      .insertInto('fresh_starts')
      .values({
        account_id: acc.id,
        granted_by: auth.accountId,
        code_hash: codeHash(code),
        created_at: now,
        expires_at: expiresAt,
        used_at: null,
        superseded_at: null,
      })
      .execute();
    await appendEvents(trx, [
      {
        ...evMetaOf(meta, auth.workstationLabel),
        accountId: acc.id,
        at: now,
        type: 'fresh_start_sent',
        method: 'system',
        outcome: 'info',
        details: { grantedBy: auth.accountId, expiresAt: expiresAt.toISOString() },
      },
    ]);
    await enqueueMails(trx, now, [
      {
        ...freshStartMail({ name: acc.display_name, holderName: auth.displayName, at: now, code, expiresAt }),
        accountId: acc.id,
        to: acc.email,
      },
    ]);
  });
  return { sentAt: now.toISOString(), expiresAt: expiresAt.toISOString(), sentTo: masked(acc.email) };
}

const refused = () =>
  new AppError(
    'INVALID_CREDENTIALS',
    'Ce code ne correspond pas, a expiré ou a déjà servi. Vérifiez-le, ou demandez un nouveau départ au titulaire.',
  );

/** The delegate sets a new password with the mailed code. */
export async function redeemFreshStart(
  ctx: Ctx,
  hasher: PasswordHasher,
  input: { identifier: string; code: string; newPassword: string },
  meta: RequestMeta,
  floorMs: number,
) {
  const started = performance.now();
  const now = ctx.clock.now();
  const attempt = await reserveCodeAttempt(ctx, 'fs', input.identifier, meta, now);
  const acc = await accountByIdentifier(ctx, input.identifier);
  const pending =
    acc && !attempt.throttled
      ? await ctx.db
          .selectFrom('fresh_starts')
          .select(['id', 'code_hash'])
          .where('account_id', '=', acc.id)
          .where('used_at', 'is', null)
          .where('superseded_at', 'is', null)
          .where('expires_at', '>', now)
          .executeTakeFirst()
      : undefined;
  if (!pending || pending.code_hash !== codeHash(input.code)) {
    await recordCodeRefusal(ctx, meta, now, {
      throttled: attempt.throttled,
      identifier: input.identifier,
      accountId: acc?.id ?? null,
      log: { kind: 'fresh_start_throttled', method: 'password' },
      event: { type: 'fresh_start_failed', method: 'system', reason: pending ? 'wrong_code' : 'no_code' },
    });
    await padToFloor(started, floorMs);
    throw refused();
  }
  const a = acc!;
  // The new password follows the policy; a refused one does not spend the code.
  const newHash = await acceptNewPassword(
    ctx,
    hasher,
    { ...a, accountId: a.id, displayName: a.display_name },
    input.newPassword,
  );
  const ev = evMetaOf(meta);
  await ctx.db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable('fresh_starts')
      .set({ used_at: now })
      .where('id', '=', pending.id)
      .where('used_at', 'is', null)
      .where('superseded_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!used) throw refused();
    await replacePassword(trx, a.id, newHash, now);
    await appendEvents(trx, [
      {
        ...ev,
        accountId: a.id,
        at: now,
        type: 'fresh_start_used',
        method: 'system',
        outcome: 'success',
        details: {},
      },
      {
        ...ev,
        accountId: a.id,
        at: now,
        type: 'password_changed',
        method: 'system',
        outcome: 'success',
        details: { via: 'fresh_start' },
      },
    ]);
    await closeOpenCases(trx, a.id, now, 'Nouveau mot de passe choisi (nouveau départ).', ev);
    await enqueueMails(trx, now, [
      {
        ...passwordChangedMail({ name: a.display_name, at: now, workstationLabel: ev.workstationLabel }),
        accountId: a.id,
        to: a.email,
      },
    ]);
  });
  await ctx.db.deleteFrom('login_throttle').where('key', 'in', attempt.keys).execute();
  return { passwordSet: true as const };
}
