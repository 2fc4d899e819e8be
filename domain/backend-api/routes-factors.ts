/**
 * The second-factor routes: the second step of a password sign-in, enrolment, and the holder's controls. Spread into
 * the one route table of ./routes.ts.
 */
import type { RouteDef } from './routes';
import * as s from './schemas';
import * as f from './schemas-factors';

const route = <const R extends RouteDef>(r: R) => r;

export const factorRoutes = {
  factorMailCode: route({
    method: 'POST',
    path: '/v1/auth/second-factor/mail-code',
    auth: 'none',
    body: f.FactorTicketRequestSchema,
    response: f.MailCodeResponseSchema,
    summary:
      'Mail a one-time code (10 minutes, single use, spent after 5 wrong tries) to the dedicated address of a second step',
  }),
  signInSecondFactor: route({
    method: 'POST',
    path: '/v1/auth/second-factor',
    auth: 'none',
    body: f.SecondFactorRequestSchema,
    response: s.SignInResponseSchema,
    opensSession: true,
    workstationProof: true,
    summary:
      'Second step of a password sign-in: a TOTP code, the mailed code or a recovery code opens the session (throttled, one answer for every refusal)',
  }),
  enrolTotp: route({
    method: 'POST',
    path: '/v1/auth/enrol/totp',
    auth: 'none',
    body: f.EnrolTotpRequestSchema,
    response: f.EnrolTotpResponseSchema,
    summary: 'Enrolment: with the mailed code, the secret of a new authenticator app',
  }),
  enrolConfirm: route({
    method: 'POST',
    path: '/v1/auth/enrol/confirm',
    auth: 'none',
    body: f.EnrolConfirmRequestSchema,
    response: f.EnrolConfirmResponseSchema,
    opensSession: true,
    workstationProof: true,
    summary:
      "Enrolment: the app's first code (or the mailed code) records the factor; answers 10 recovery codes",
  }),
  myFactor: route({
    method: 'GET',
    path: '/v1/me/second-factor',
    auth: 'session',
    response: f.MyFactorResponseSchema,
    summary: "The signed-in account's second factor and the pharmacy's grace period",
  }),
  startEnrolment: route({
    method: 'POST',
    path: '/v1/me/second-factor/enrol',
    auth: 'session',
    response: f.SecondStepSchema,
    summary:
      'Enrol (or replace) the second factor from a session: mails a code to the dedicated address first',
  }),
  resetFactor: route({
    method: 'POST',
    path: '/v1/pharmacy/second-factor/reset',
    auth: 'session',
    body: f.ResetFactorRequestSchema,
    response: f.ResetFactorResponseSchema,
    summary:
      "Holder, from a card or e-CPS session: reset a delegate's second factor (re-enrolment at the next sign-in; both mailed)",
  }),
  extendFactorGrace: route({
    method: 'POST',
    path: '/v1/pharmacy/second-factor/grace',
    auth: 'session',
    response: f.ExtendGraceResponseSchema,
    summary: "Holder: extend the pharmacy's grace period once by 30 days",
  }),
} as const;
