import { randomBytes } from 'node:crypto';
import type { VigieHandlers } from '../../../domain/api/renderer-api';
import { AppError } from '../../../domain/result';
import type { CoreContext } from '../context';
import { backendCalls } from './backend-call';

/**
 * The unblock wizard's group: eligibility, the security key, the postal code, the new password. The backend's
 * unblock ticket stays in the core: the renderer gets a handle that only this core can turn into the ticket.
 */
export function unblockHandlers(ctx: CoreContext): VigieHandlers['unblock'] {
  const { client, must } = backendCalls(ctx);
  const tickets = new Map<string, { ticket: string; expiresAt: string }>();
  const keep = (t: { ticket: string; expiresAt: string }) => {
    for (const [k, v] of tickets) if (new Date(v.expiresAt).getTime() < ctx.now().getTime()) tickets.delete(k);
    const handle = randomBytes(24).toString('base64url');
    tickets.set(handle, t);
    return { ticket: handle, expiresAt: t.expiresAt };
  };

  return {
    eligibility: async ({ identifier, has }) => must(await client().call('unblockEligibility', { body: { ...(identifier ? { identifier } : {}), has } })),
    securityKeyQuestions: async () => {
      const { questions } = must(await client().call('securityKeyQuestions'));
      return { questions: questions.map((q) => ({ id: q.id, kind: q.kind, ...(q.length !== undefined ? { length: q.length } : {}) })) };
    },
    submitSecurityKey: async ({ identifier, answers }) => keep(must(await client().call('submitSecurityKey', { body: { identifier, answers } }))),
    requestPostalCode: async ({ identifier }) => must(await client().call('requestPostalCode', { body: { identifier } })),
    postalState: async ({ identifier }) => must(await client().call('postalCodeState', { body: { identifier } })),
    submitPostalCode: async ({ identifier, code }) => keep(must(await client().call('submitPostalCode', { body: { identifier, code } }))),
    checkPassword: async ({ password, identifier }) =>
      must(await client().call('checkPassword', { body: { password, ...(identifier ? { identifier } : {}) } })),
    setNewPassword: async ({ ticket, newPassword }) => {
      const t = tickets.get(ticket);
      if (!t) throw new AppError('UNAUTHENTICATED', 'Ce parcours de déblocage a expiré. Recommencez-le.');
      const r = must(await client().call('unblockSetPassword', { body: { ticket: t.ticket, newPassword } }));
      tickets.delete(ticket);
      return r;
    },
  };
}
