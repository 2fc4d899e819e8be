import type { VigieHandlers } from '../../../domain/api/renderer-api';
import { AppError } from '../../../domain/result';
import type { CoreContext } from '../context';
import { toAppError } from '../session/session-service';

export function sessionHandlers(ctx: CoreContext): VigieHandlers['session'] {
  const session = () => {
    if (!ctx.session) throw new AppError('UNAVAILABLE', 'Le poste démarre encore.', true);
    return ctx.session;
  };
  return {
    getState: () => session().current,
    signInWithPassword: ({ identifier, password, remember }) => session().signInWithPassword(identifier, password, remember ?? false),
    signOut: () => session().signOut(),
    touch: () => session().touch(),
    changePassword: ({ currentPassword, newPassword }) => session().changePassword(currentPassword, newPassword),
    checkPassword: async ({ password, identifier }) => {
      const client = ctx.backendClient?.();
      if (!client) throw new AppError('BACKEND_UNREACHABLE', 'Le serveur Vigie ne répond pas.', true);
      const r = await client.call('checkPassword', { body: { password, ...(identifier ? { identifier } : {}) } });
      if (!r.ok) throw toAppError(r);
      return r.value;
    },
    startEcps: (req) => session().startEcps(req.nationalId),
    cancelEcps: () => session().cancelEcps(),
  };
}
