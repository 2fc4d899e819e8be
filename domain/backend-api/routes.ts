/**
 * The route table: method, path, schemas and whether a session is needed. The backend registers exactly
 * these routes; the backend client derives its calls from them. No path string is typed anywhere else.
 */
import { z } from 'zod';
import * as s from './schemas';
import { signinRoutes } from './routes-signin';
import { factorRoutes } from './routes-factors';
import { PasswordSignInResponseSchema } from './schemas-factors';

export interface RouteDef {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** `optional_session`: a session is read when the request carries one (the client sends its token if it has one). */
  auth: 'none' | 'session' | 'session_or_password_change' | 'optional_session';
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  /** `text/csv` routes answer text, not JSON. */
  produces?: 'text/csv';
  /** The answer carries a session token (a SignInResponse, at the top or under `session`): the client keeps it. */
  opensSession?: boolean;
  /** A registered workstation must prove the request with its key (HEADER_WORKSTATION_PROOF). */
  workstationProof?: boolean;
  summary: string;
}

const route = <const R extends RouteDef>(r: R) => r;

export const routes = {
  health: route({
    method: 'GET',
    path: '/health',
    auth: 'none',
    // Which sign-in methods this backend offers, so that the sign-in screen says so before anyone types a PIN.
    response: s.HealthResponseSchema.extend({ signIn: z.object({ card: z.boolean(), ecps: z.boolean() }) }),
    summary: 'Liveness, and the sign-in methods this backend offers',
  }),
  ready: route({
    method: 'GET',
    path: '/ready',
    auth: 'none',
    response: s.ReadyResponseSchema,
    summary: 'Readiness (database reachable)',
  }),

  signInPassword: route({
    method: 'POST',
    path: '/v1/auth/password',
    auth: 'none',
    body: s.PasswordSignInRequestSchema,
    response: PasswordSignInResponseSchema,
    opensSession: true,
    workstationProof: true,
    summary: 'Sign in with identifier and password',
  }),
  checkPassword: route({
    method: 'POST',
    path: '/v1/auth/password/check',
    auth: 'none',
    body: s.PasswordCheckRequestSchema,
    response: s.PasswordCheckResponseSchema,
    summary: 'Check a new password against the CNIL rules and the strength estimate',
  }),
  changePassword: route({
    method: 'POST',
    path: '/v1/auth/password/change',
    auth: 'session_or_password_change',
    body: s.PasswordChangeRequestSchema,
    response: s.CurrentSessionResponseSchema,
    summary: 'Change the password (also when it has expired)',
  }),
  currentSession: route({
    method: 'GET',
    path: '/v1/session',
    auth: 'session_or_password_change',
    response: s.CurrentSessionResponseSchema,
    summary: 'The current session (and keep it alive)',
  }),
  signOut: route({
    method: 'POST',
    path: '/v1/session/sign-out',
    auth: 'session_or_password_change',
    response: s.RevokedResponseSchema,
    summary: 'End the current session',
  }),
  listSessions: route({
    method: 'GET',
    path: '/v1/sessions',
    auth: 'session',
    response: s.SessionsResponseSchema,
    summary: "The account's open sessions",
  }),
  revokeSession: route({
    method: 'DELETE',
    path: '/v1/sessions/:id',
    auth: 'session',
    params: s.IdParamsSchema,
    response: s.RevokedResponseSchema,
    summary: 'End one session of the account',
  }),
  revokeAllSessions: route({
    method: 'POST',
    path: '/v1/sessions/revoke-all',
    auth: 'session',
    response: s.RevokedResponseSchema,
    summary: 'End every session of the account, this one included',
  }),

  myStatus: route({
    method: 'GET',
    path: '/v1/me/status',
    auth: 'session',
    response: s.AccountStatusSchema,
    summary: 'State, block date, days left, next reminder, last activity',
  }),
  pharmacyAccounts: route({
    method: 'GET',
    path: '/v1/pharmacy/accounts',
    auth: 'session',
    response: s.PharmacyAccountsResponseSchema,
    summary: "Every account of the pharmacy (holder) or one's own",
  }),
  listDelegations: route({
    method: 'GET',
    path: '/v1/delegations',
    auth: 'session',
    response: s.DelegationsResponseSchema,
    summary: "The holder's delegates with their status",
  }),
  grantDelegation: route({
    method: 'POST',
    path: '/v1/delegations',
    auth: 'session',
    body: s.GrantDelegationRequestSchema,
    response: s.DelegationSchema,
    summary: 'Grant delegated access (creates the delegate account)',
  }),
  revokeDelegation: route({
    method: 'DELETE',
    path: '/v1/delegations/:id',
    auth: 'session',
    params: s.IdParamsSchema,
    response: s.DelegationSchema,
    summary: "Revoke a delegation and end the delegate's sessions",
  }),
  setDelegationEnd: route({
    method: 'POST',
    path: '/v1/delegations/:id/end',
    auth: 'session',
    params: s.IdParamsSchema,
    body: s.SetDelegationEndRequestSchema,
    response: s.DelegationSchema,
    summary: 'Set, change or remove the last day of a delegation (access ends at the end of that day, Paris)',
  }),

  listEvents: route({
    method: 'GET',
    path: '/v1/events',
    auth: 'session',
    query: s.EventsQuerySchema,
    response: s.EventsPageSchema,
    summary: 'Recent events, newest first, with filters and keyset pagination',
  }),
  exportEvents: route({
    method: 'GET',
    path: '/v1/events.csv',
    auth: 'session',
    query: s.EventsQuerySchema.omit({ cursor: true, limit: true }),
    response: z.string(),
    produces: 'text/csv',
    summary: 'The filtered events as CSV',
  }),
  verifyEvents: route({
    method: 'GET',
    path: '/v1/events/verify',
    auth: 'session',
    query: s.VerifyQuerySchema,
    response: s.VerifyResponseSchema,
    summary: "Check the account's hash chain; names the first bad event",
  }),

  workstationChallenge: route({
    method: 'POST',
    path: '/v1/workstations/challenge',
    auth: 'none',
    response: s.WorkstationChallengeResponseSchema,
    summary: 'A single-use challenge for registering a workstation key',
  }),
  registerWorkstation: route({
    method: 'POST',
    path: '/v1/workstations/register',
    auth: 'optional_session',
    body: s.WorkstationRegisterRequestSchema,
    response: s.WorkstationRegisterResponseSchema,
    summary: "Register a workstation's Ed25519 public key and label (signature over the challenge)",
  }),
  pharmacyWorkstations: route({
    method: 'GET',
    path: '/v1/pharmacy/workstations',
    auth: 'session',
    response: s.PharmacyWorkstationsResponseSchema,
    summary: "The workstations the pharmacy's accounts used (holder)",
  }),
  revokeWorkstation: route({
    method: 'POST',
    path: '/v1/pharmacy/workstations/:id/revoke',
    auth: 'session',
    params: s.WorkstationIdParamsSchema,
    response: s.PharmacyWorkstationSchema,
    summary: 'Withdraw a workstation: its sessions end and it cannot sign in again (holder)',
  }),
  ...signinRoutes,
  ...factorRoutes,
} as const;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
