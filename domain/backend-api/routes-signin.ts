/**
 * The sign-in, unblock and report routes. Spread into the one route table of ./routes.ts (so the backend and the
 * client derive everything from a single table); kept here so the other routes' file stays small.
 */
import type { RouteDef } from './routes';
import * as s from './schemas';
import * as x from './schemas-signin';

const route = <const R extends RouteDef>(r: R) => r;

export const signinRoutes = {
  cardChallenge: route({
    method: 'POST',
    path: '/v1/auth/card/challenge',
    auth: 'none',
    response: x.CardChallengeResponseSchema,
    summary: 'A single-use challenge for the card to sign (short expiry, bound to the workstation)',
  }),
  signInCard: route({
    method: 'POST',
    path: '/v1/auth/card',
    auth: 'none',
    body: x.CardSignInRequestSchema,
    response: s.SignInResponseSchema,
    opensSession: true,
    workstationProof: true,
    summary:
      'Sign in with the CPS card: signed challenge + authentication certificate (unblocks a blocked account)',
  }),
  ecpsStart: route({
    method: 'POST',
    path: '/v1/auth/ecps',
    auth: 'none',
    body: x.EcpsStartRequestSchema,
    response: x.EcpsStartResponseSchema,
    summary: "Start an e-CPS sign-in (Pro Santé Connect back-channel request to the holder's phone)",
  }),
  ecpsPoll: route({
    method: 'POST',
    path: '/v1/auth/ecps/poll',
    auth: 'none',
    body: x.EcpsTransactionRequestSchema,
    response: x.EcpsPollResponseSchema,
    opensSession: true,
    workstationProof: true,
    summary: 'Where the e-CPS sign-in stands; opens the session once approved',
  }),
  ecpsCancel: route({
    method: 'POST',
    path: '/v1/auth/ecps/cancel',
    auth: 'none',
    body: x.EcpsTransactionRequestSchema,
    response: x.EcpsCancelResponseSchema,
    summary: 'Give up an e-CPS sign-in',
  }),

  unblockEligibility: route({
    method: 'POST',
    path: '/v1/unblock/eligibility',
    auth: 'none',
    body: x.UnblockEligibilityRequestSchema,
    response: x.UnblockEligibilityResponseSchema,
    summary: 'Which ways out of a block to offer (the same answer for every identifier)',
  }),
  securityKeyQuestions: route({
    method: 'GET',
    path: '/v1/unblock/security-key/questions',
    auth: 'none',
    response: x.SecurityKeyQuestionsResponseSchema,
    summary: 'What the security key is made of',
  }),
  submitSecurityKey: route({
    method: 'POST',
    path: '/v1/unblock/security-key',
    auth: 'none',
    body: x.SecurityKeySubmitRequestSchema,
    response: x.UnblockTicketResponseSchema,
    summary:
      'Check the security key (wrong tries throttled per source and per identifier); answers an unblock ticket',
  }),
  setSecurityKey: route({
    method: 'POST',
    path: '/v1/me/security-key',
    auth: 'session',
    body: x.SetSecurityKeyRequestSchema,
    response: x.SetSecurityKeyResponseSchema,
    summary: 'Record (or replace) the security key of the signed-in account',
  }),
  requestPostalCode: route({
    method: 'POST',
    path: '/v1/unblock/postal-code/request',
    auth: 'none',
    body: x.PostalRequestSchema,
    response: x.PostalStateResponseSchema,
    summary:
      'Send a temporary code by postal mail (the same answer for every identifier; a new one after 48 h)',
  }),
  postalCodeState: route({
    method: 'POST',
    path: '/v1/unblock/postal-code/state',
    auth: 'none',
    body: x.PostalStateRequestSchema,
    response: x.PostalStateResponseSchema,
    summary: 'Where the letter stands',
  }),
  submitPostalCode: route({
    method: 'POST',
    path: '/v1/unblock/postal-code',
    auth: 'none',
    body: x.PostalRedeemRequestSchema,
    response: x.UnblockTicketResponseSchema,
    summary: 'Check the code from the letter (single use); answers an unblock ticket',
  }),
  unblockSetPassword: route({
    method: 'POST',
    path: '/v1/unblock/password',
    auth: 'none',
    body: x.UnblockPasswordRequestSchema,
    response: x.UnblockPasswordResponseSchema,
    summary: 'With an unblock ticket: a new password, and the account is active again',
  }),

  grantFreshStart: route({
    method: 'POST',
    path: '/v1/pharmacy/fresh-start',
    auth: 'session',
    body: x.FreshStartRequestSchema,
    response: x.FreshStartResponseSchema,
    summary:
      'Holder, from a card or e-CPS session: mail a one-time code to a password delegate whose password a report withdrew',
  }),
  redeemFreshStart: route({
    method: 'POST',
    path: '/v1/unblock/fresh-start',
    auth: 'none',
    body: x.FreshStartRedeemRequestSchema,
    response: x.FreshStartRedeemResponseSchema,
    summary: 'With the mailed fresh-start code (single use): a new password',
  }),

  openReport: route({
    method: 'POST',
    path: '/v1/reports',
    auth: 'session',
    body: x.OpenReportRequestSchema,
    response: x.ReportCaseSchema,
    summary: '« Je ne reconnais pas cette activité »: opens a case and secures the account',
  }),
  listReports: route({
    method: 'GET',
    path: '/v1/reports',
    auth: 'session',
    response: x.ReportCasesResponseSchema,
    summary: "The account's report cases and their steps",
  }),
} as const;
