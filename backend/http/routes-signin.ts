/** Registers the sign-in, unblock and report routes of domain/backend-api/routes-signin.ts. */
import type { FastifyInstance } from 'fastify';
import { routes } from '../../domain/backend-api';
import type { Ctx } from '../context';
import { register } from './register';
import type { PasswordHasher } from '../auth/passwords';
import { issueCardChallenge, signInWithCard } from '../auth/card/signin';
import type { SigninDeps } from '../auth/deps';
import { cancelEcps, pollEcps, startEcps } from '../auth/ecps/signin';
import { grantFreshStart, redeemFreshStart } from '../unblock/fresh-start';
import { listReports, openReport } from '../reports/reports';
import { eligibility, questions } from '../unblock/eligibility';
import { postalCodeState, requestPostal, submitPostal } from '../unblock/postal-path';
import { recordSecurityKey, submitSecurityKey } from '../unblock/security-key-path';
import { setPasswordWithTicket } from '../unblock/tickets';
import { sendMailCode } from '../auth/factors/code-checks';
import { enrolConfirm, enrolTotp } from '../auth/factors/enrol';
import { signInSecondFactor } from '../auth/factors/second-step';
import { extendPharmacyGrace, myFactor, resetDelegateFactor, startEnrolment } from '../auth/factors/manage';

export function registerSigninRoutes(
  app: FastifyInstance,
  ctx: Ctx,
  deps: SigninDeps,
  o: {
    hasher: PasswordHasher;
    failureFloorMs: number;
    rateLimit: { max: number; timeWindow: number } | false;
  },
) {
  // The routes that guess at something (a signature, a key, a code) share the sign-in limit per IP.
  const limited = o.rateLimit ? { rateLimit: o.rateLimit } : {};
  register(app, ctx, routes.cardChallenge, async ({ meta }) => issueCardChallenge(ctx, deps, meta), limited);
  register(
    app,
    ctx,
    routes.signInCard,
    async ({ body, meta }) => signInWithCard(ctx, deps, body, meta),
    limited,
  );
  register(
    app,
    ctx,
    routes.ecpsStart,
    async ({ body, meta }) => startEcps(ctx, deps, body.nationalId, meta),
    limited,
  );
  register(app, ctx, routes.ecpsPoll, async ({ body, meta }) =>
    pollEcps(ctx, deps, body.transactionId, meta),
  );
  register(app, ctx, routes.ecpsCancel, async ({ body, meta }) =>
    cancelEcps(ctx, deps, body.transactionId, meta),
  );

  register(app, ctx, routes.unblockEligibility, async ({ body }) => eligibility(body.identifier, body.has));
  register(app, ctx, routes.securityKeyQuestions, async () => questions(deps));
  register(
    app,
    ctx,
    routes.submitSecurityKey,
    async ({ body, meta }) =>
      submitSecurityKey(ctx, deps, body.identifier, body.answers, meta, o.failureFloorMs),
    limited,
  );
  register(app, ctx, routes.setSecurityKey, async ({ auth, body, meta }) =>
    recordSecurityKey(ctx, deps, o.hasher, auth, body, meta, o.failureFloorMs),
  );
  register(
    app,
    ctx,
    routes.requestPostalCode,
    async ({ body, meta }) => requestPostal(ctx, deps, body.identifier, meta, o.failureFloorMs),
    limited,
  );
  register(app, ctx, routes.postalCodeState, async ({ body, meta }) =>
    postalCodeState(ctx, deps, body.handle, meta),
  );
  register(
    app,
    ctx,
    routes.submitPostalCode,
    async ({ body, meta }) => submitPostal(ctx, deps, body.identifier, body.code, meta, o.failureFloorMs),
    limited,
  );
  register(
    app,
    ctx,
    routes.unblockSetPassword,
    async ({ body, meta }) => setPasswordWithTicket(ctx, deps, o.hasher, body.ticket, body.newPassword, meta),
    limited,
  );

  register(app, ctx, routes.grantFreshStart, async ({ auth, body, meta }) =>
    grantFreshStart(ctx, auth, body.accountId, meta),
  );
  register(
    app,
    ctx,
    routes.redeemFreshStart,
    async ({ body, meta }) => redeemFreshStart(ctx, o.hasher, body, meta, o.failureFloorMs),
    limited,
  );

  // The second factor: each code attempt is throttled inside, and the routes share the sign-in limit per IP.
  register(
    app,
    ctx,
    routes.factorMailCode,
    async ({ body, meta }) => sendMailCode(ctx, body.ticket, meta, o.failureFloorMs),
    limited,
  );
  register(
    app,
    ctx,
    routes.signInSecondFactor,
    async ({ body, meta }) => signInSecondFactor(ctx, body, meta, o.failureFloorMs),
    limited,
  );
  register(
    app,
    ctx,
    routes.enrolTotp,
    async ({ body, meta }) => enrolTotp(ctx, body, meta, o.failureFloorMs),
    limited,
  );
  register(
    app,
    ctx,
    routes.enrolConfirm,
    async ({ body, meta }) => enrolConfirm(ctx, body, meta, o.failureFloorMs),
    limited,
  );
  register(app, ctx, routes.myFactor, async ({ auth }) => myFactor(ctx, auth));
  register(app, ctx, routes.startEnrolment, async ({ auth, meta }) => startEnrolment(ctx, auth, meta));
  register(app, ctx, routes.resetFactor, async ({ auth, body, meta }) =>
    resetDelegateFactor(ctx, auth, body.accountId, meta),
  );
  register(app, ctx, routes.extendFactorGrace, async ({ auth, meta }) =>
    extendPharmacyGrace(ctx, auth, meta),
  );

  register(app, ctx, routes.openReport, async ({ auth, body, meta }) => openReport(ctx, auth, body, meta));
  register(app, ctx, routes.listReports, async ({ auth }) => listReports(ctx, auth));
}
