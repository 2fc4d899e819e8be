import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HEADER_WORKSTATION, routes } from '../../domain/backend-api';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import { ping } from '../db/connect';
import type { PasswordHasher } from '../auth/passwords';
import { statusOf, statusesOfPharmacy } from '../accounts/accounts';
import { signInWithPassword } from '../auth/password';
import { changePassword, checkPassword } from '../auth/password-change';
import {
  grantDelegation,
  listDelegations,
  revokeDelegation,
  setDelegationEnd,
} from '../delegations/delegations';
import { exportEventsCsv, listEvents, verifyEvents } from '../events/log';
import { accountSummary, listSessions, revokeSessions } from '../sessions/sessions';
import { listPharmacyWorkstations, revokeWorkstation } from '../workstations/workstations';
import { registerWorkstation, workstationChallenge } from '../workstations/registration';
import { register } from './register';
import type { SigninDeps } from '../auth/deps';
import { registerSigninRoutes } from './routes-signin';
import { withSuspicionRules } from '../auth/suspicious';

export interface RouteOptions {
  hasher: PasswordHasher;
  failureFloorMs: number;
  /** Per-IP limit of the sign-in route (requests per minute); the global limit applies elsewhere. */
  signInRateLimit: { max: number; timeWindow: number } | false;
  /** Per-workstation limit of the password strength check (requests per minute). */
  checkRateLimit: { max: number; timeWindow: number } | false;
  signin: SigninDeps;
}

export function registerRoutes(app: FastifyInstance, ctx: Ctx, o: RouteOptions) {
  register(app, ctx, routes.health, async () => ({
    status: 'ok' as const,
    version: ctx.config.version,
    signIn: o.signin.offers,
  }));
  register(app, ctx, routes.ready, async ({ reply }) => {
    const ok = await ping(ctx.db);
    if (!ok) reply.status(503);
    return { status: ok ? ('ready' as const) : ('not_ready' as const), database: ctx.dbKind };
  });

  register(
    app,
    ctx,
    routes.signInPassword,
    async ({ body, meta }) =>
      withSuspicionRules(ctx, o.signin, body.identifier, meta, (afterFailure) =>
        signInWithPassword(
          ctx,
          { hasher: o.hasher, failureFloorMs: o.failureFloorMs, afterFailure },
          body,
          meta,
        ),
      ),
    o.signInRateLimit ? { rateLimit: o.signInRateLimit } : {},
  );
  // The strength meter calls this at every pause in typing: its own bucket per workstation (or address without
  // one), so it never uses up the sign-in bucket that a pharmacy's workstations share.
  register(
    app,
    ctx,
    routes.checkPassword,
    async ({ body }) => checkPassword(ctx, body.password, body.identifier ? [body.identifier] : []),
    o.checkRateLimit
      ? {
          rateLimit: {
            ...o.checkRateLimit,
            keyGenerator: (req: FastifyRequest) => {
              const ws = req.headers[HEADER_WORKSTATION];
              return typeof ws === 'string' && ws.length <= 64
                ? `check:ws:${ws.toLowerCase()}`
                : `check:ip:${req.ip}`;
            },
          },
        }
      : {},
  );
  register(app, ctx, routes.changePassword, async ({ auth, body, meta }) => {
    await changePassword(ctx, o.hasher, auth, body, meta, o.failureFloorMs);
    const [session] = await listSessions(ctx, auth, auth.sessionId);
    return {
      session: { ...session!, scope: 'full' as const },
      account: await accountSummary(ctx, auth.accountId),
    };
  });
  register(app, ctx, routes.currentSession, async ({ auth }) => {
    const [session] = await listSessions(ctx, auth, auth.sessionId);
    if (!session) throw new AppError('SESSION_REVOKED', 'Session terminée.');
    return { session, account: await accountSummary(ctx, auth.accountId) };
  });
  register(app, ctx, routes.signOut, async ({ auth, meta }) => ({
    revoked: await revokeSessions(ctx, auth, meta, 'current'),
  }));
  register(app, ctx, routes.listSessions, async ({ auth }) => ({ sessions: await listSessions(ctx, auth) }));
  register(app, ctx, routes.revokeSession, async ({ auth, params, meta }) => ({
    revoked: await revokeSessions(ctx, auth, meta, { id: params.id }),
  }));
  register(app, ctx, routes.revokeAllSessions, async ({ auth, meta }) => ({
    revoked: await revokeSessions(ctx, auth, meta, 'all'),
  }));

  register(app, ctx, routes.myStatus, async ({ auth }) => {
    const s = await statusOf(ctx, auth.accountId);
    if (!s) throw new AppError('NOT_FOUND', 'Compte introuvable.');
    return s;
  });
  register(app, ctx, routes.pharmacyAccounts, async ({ auth }) => {
    if (auth.kind === 'holder') return { accounts: await statusesOfPharmacy(ctx, auth.pharmacyId) };
    const s = await statusOf(ctx, auth.accountId);
    return { accounts: s ? [s] : [] };
  });
  register(app, ctx, routes.listDelegations, async ({ auth }) => ({
    delegations: await listDelegations(ctx, auth),
  }));
  register(app, ctx, routes.grantDelegation, async ({ auth, body, meta }) =>
    grantDelegation(ctx, o.hasher, auth, body, meta),
  );
  register(app, ctx, routes.revokeDelegation, async ({ auth, params, meta }) =>
    revokeDelegation(ctx, auth, params.id, meta),
  );
  register(app, ctx, routes.setDelegationEnd, async ({ auth, params, body, meta }) =>
    setDelegationEnd(ctx, auth, params.id, body.endsOn, meta),
  );

  register(app, ctx, routes.listEvents, async ({ auth, query }) => listEvents(ctx, auth, query));
  register(app, ctx, routes.exportEvents, async ({ auth, query }) => exportEventsCsv(ctx, auth, query));
  register(app, ctx, routes.verifyEvents, async ({ auth, query }) =>
    verifyEvents(ctx, auth, query.accountId),
  );

  // Registration writes rows for anyone who asks: limited like the sign-in.
  const limited = o.signInRateLimit ? { rateLimit: o.signInRateLimit } : {};
  register(app, ctx, routes.workstationChallenge, async () => workstationChallenge(ctx), limited);
  register(
    app,
    ctx,
    routes.registerWorkstation,
    async ({ body, auth }) => registerWorkstation(ctx, body, auth),
    limited,
  );
  register(app, ctx, routes.pharmacyWorkstations, async ({ auth }) => ({
    workstations: await listPharmacyWorkstations(ctx, auth),
  }));
  register(app, ctx, routes.revokeWorkstation, async ({ auth, params, meta }) =>
    revokeWorkstation(ctx, auth, params.id, meta),
  );

  registerSigninRoutes(app, ctx, o.signin, {
    hasher: o.hasher,
    failureFloorMs: o.failureFloorMs,
    rateLimit: o.signInRateLimit,
  });
}
