import type { VigieHandlers } from '../../../domain/api/renderer-api';
import type { CoreContext } from '../context';
import { toAppError } from '../session/session-service';

export function sessionHandlers(ctx: CoreContext): VigieHandlers['session'] {
  const session = () => ctx.session;
  return {
    getState: () => session().current,
    signInWithPassword: ({ identifier, password, remember }) =>
      session().signInWithPassword(identifier, password, remember ?? false),
    signOut: () => session().signOut(),
    sendFactorCode: () => session().factors.sendCode(),
    submitSecondFactor: ({ method, code }) => session().factors.submit(method, code),
    startTotpEnrolment: ({ mailCode }) => session().factors.startTotp(mailCode),
    confirmEnrolment: ({ kind, code }) => session().factors.confirm(kind, code),
    finishEnrolment: () => session().factors.finish(),
    startEnrolment: () => session().factors.startFromSession(),
    touch: () => session().touch(),
    changePassword: ({ currentPassword, newPassword }) =>
      session().changePassword(currentPassword, newPassword),
    checkPassword: async ({ password, identifier }) => {
      const r = await ctx.backend
        .client()
        .call('checkPassword', { body: { password, ...(identifier ? { identifier } : {}) } });
      if (!r.ok) throw toAppError(r);
      return r.value;
    },
    startEcps: (req) => session().startEcps(req.nationalId),
    cancelEcps: () => session().cancelEcps(),
  };
}
