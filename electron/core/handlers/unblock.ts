import { createHash, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { PostalState } from '../../../domain/api/groups/unblock';
import type { VigieHandlers } from '../../../domain/api/renderer-api';
import type { PostalStateResponseSchema } from '../../../domain/backend-api';
import { AppError } from '../../../domain/result';
import type { CoreContext } from '../context';
import type { PostalLetterHandle } from '../settings/settings-store';
import { backendCalls } from './backend-call';

type PostalDto = z.output<typeof PostalStateResponseSchema>;

/** At most this many letters remembered on one workstation (the oldest forgotten first). */
const MAX_LETTERS = 20;

/** The letter's state as the renderer sees it: never the request's handle. */
const toState = (s: PostalDto): PostalState => ({
  status: s.status,
  requestedAt: s.requestedAt,
  printedAt: s.printedAt,
  expectedBy: s.expectedBy,
  expiresAt: s.expiresAt,
  nextRequestAt: s.nextRequestAt,
  reference: s.reference,
});

const NONE: PostalState = {
  status: 'none',
  requestedAt: null,
  printedAt: null,
  expectedBy: null,
  expiresAt: null,
  nextRequestAt: null,
  reference: null,
};

/** The settings key of an identifier: identifiers are compared trimmed and case-insensitive, stored hashed. */
const letterKey = (identifier: string) =>
  createHash('sha256').update(identifier.trim().toLowerCase()).digest('base64url');

/**
 * The unblock wizard's group: eligibility, the security key, the postal code, the new password. The backend's
 * unblock ticket stays in the core: the renderer gets a handle that only this core can turn into the ticket.
 *
 * A postal request answers a handle: the backend shows the letter's state only to the workstation holding it. The
 * core keeps it in the settings store, per identifier, until the letter expires (a letter takes days: the app may
 * restart in between); the renderer asks for "the letter of this identifier" and never sees the handle.
 */
export function unblockHandlers(ctx: CoreContext): VigieHandlers['unblock'] {
  const { client, must } = backendCalls(ctx);
  const tickets = new Map<string, { ticket: string; expiresAt: string }>();
  const keep = (t: { ticket: string; expiresAt: string }) => {
    for (const [k, v] of tickets)
      if (new Date(v.expiresAt).getTime() < ctx.now().getTime()) tickets.delete(k);
    const handle = randomBytes(24).toString('base64url');
    tickets.set(handle, t);
    return { ticket: handle, expiresAt: t.expiresAt };
  };

  const letters = (): Record<string, PostalLetterHandle> => {
    const now = ctx.now().getTime();
    const all = ctx.settings.get('postalLetters') ?? {};
    return Object.fromEntries(Object.entries(all).filter(([, l]) => new Date(l.expiresAt).getTime() > now));
  };
  const saveLetters = (next: Record<string, PostalLetterHandle>) => {
    const kept = Object.entries(next)
      .sort(([, a], [, b]) => b.requestedAt.localeCompare(a.requestedAt))
      .slice(0, MAX_LETTERS);
    ctx.settings.set('postalLetters', Object.fromEntries(kept));
  };
  const rememberLetter = (identifier: string, s: PostalDto) => {
    if (!s.handle) return;
    const now = ctx.now();
    // the handle is valid as long as the letter's code: the backend says until when
    const expiresAt = s.expiresAt ?? new Date(now.getTime() + 30 * 86_400_000).toISOString();
    saveLetters({
      ...letters(),
      [letterKey(identifier)]: { handle: s.handle, requestedAt: now.toISOString(), expiresAt },
    });
  };
  const forgetLetter = (identifier: string) => {
    const { [letterKey(identifier)]: _gone, ...rest } = letters();
    saveLetters(rest);
  };

  return {
    eligibility: async ({ identifier, has }) =>
      must(
        await client().call('unblockEligibility', { body: { ...(identifier ? { identifier } : {}), has } }),
      ),
    securityKeyQuestions: async () => {
      const { questions } = must(await client().call('securityKeyQuestions'));
      return {
        questions: questions.map((q) => ({
          id: q.id,
          kind: q.kind,
          ...(q.length !== undefined ? { length: q.length } : {}),
        })),
      };
    },
    redeemFreshStart: async (body) => must(await client().call('redeemFreshStart', { body })),
    submitSecurityKey: async ({ identifier, answers }) =>
      keep(must(await client().call('submitSecurityKey', { body: { identifier, answers } }))),
    requestPostalCode: async ({ identifier }) => {
      const s = must(await client().call('requestPostalCode', { body: { identifier } }));
      rememberLetter(identifier, s);
      return toState(s);
    },
    postalState: async ({ identifier }) => {
      const held = letters()[letterKey(identifier)];
      if (!held) return NONE;
      const s = must(await client().call('postalCodeState', { body: { handle: held.handle } }));
      // the backend no longer knows the handle (expired, another workstation id): nothing to show any more
      if (s.status === 'none') forgetLetter(identifier);
      return toState(s);
    },
    submitPostalCode: async ({ identifier, code }) =>
      keep(must(await client().call('submitPostalCode', { body: { identifier, code } }))),
    checkPassword: async ({ password, identifier }) =>
      must(
        await client().call('checkPassword', { body: { password, ...(identifier ? { identifier } : {}) } }),
      ),
    setNewPassword: async ({ ticket, newPassword }) => {
      const t = tickets.get(ticket);
      if (!t) throw new AppError('UNAUTHENTICATED', 'Ce parcours de déblocage a expiré. Recommencez-le.');
      const r = must(await client().call('unblockSetPassword', { body: { ticket: t.ticket, newPassword } }));
      tickets.delete(ticket);
      return r;
    },
  };
}
