/**
 * The account backend's HTTP API: one zod schema per request and response, shared by the backend (Fastify
 * routes + OpenAPI) and the workstation core's backend client. Every timestamp is an ISO 8601 string (UTC).
 */
import { z } from 'zod';
import { ErrorCodeSchema } from '../errors';

export const API_VERSION = 'v1';

const iso = z.iso.datetime({ offset: true });
const uuid = z.uuid();

/** Headers the workstation sends with every call. The workstation id is a UUID made once per install. */
export const HEADER_WORKSTATION = 'x-vigie-workstation';
export const HEADER_WORKSTATION_LABEL = 'x-vigie-workstation-label';
export const HEADER_APP_VERSION = 'x-vigie-app-version';
/**
 * A registered workstation proves each request with its key (sign-ins, and every request of its sessions, so a
 * token copied from its keychain is useless elsewhere): the time (the server's clock as the workstation estimates
 * it, ISO 8601), a random nonce (base64url, 16 bytes) and an Ed25519 signature of workstationProofMessage, base64.
 */
export const HEADER_WORKSTATION_TIME = 'x-vigie-workstation-time';
export const HEADER_WORKSTATION_NONCE = 'x-vigie-workstation-nonce';
export const HEADER_WORKSTATION_PROOF = 'x-vigie-workstation-proof';
/** Every answer of the backend says its clock (ISO 8601, ms): what a workstation signs its requests with. */
export const HEADER_SERVER_TIME = 'x-vigie-server-time';
/** How far a sign-in proof's time may be from the server's clock. */
export const WORKSTATION_PROOF_WINDOW_MS = 5 * 60_000;
/**
 * How far a session request's proof may be from the server's clock. A state-changing request's proof is accepted
 * once; a read's may be replayed within the window.
 */
export const WORKSTATION_SESSION_PROOF_WINDOW_MS = 30_000;
export interface WorkstationProofInput {
  workstationId: string;
  time: string;
  nonce: string;
  method: string;
  /** The request's path with its query string, as sent. */
  path: string;
  /** base64url of the SHA-256 of the request's body bytes (of nothing without a body). */
  bodySha256: string;
}
export const workstationProofMessage = (p: WorkstationProofInput) =>
  [
    'vigie-workstation-request-2',
    p.workstationId,
    p.time,
    p.nonce,
    `${p.method} ${p.path}`,
    p.bodySha256,
  ].join('\n');

export const ErrorBodySchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  retryable: z.boolean().optional(),
  /** For ACCOUNT_BLOCKED_*: why, and the ways out the user may take, in order. */
  blocked: z
    .object({
      reason: z.enum(['inactivity', 'suspicious']),
      explanation: z.string(),
      unblockPaths: z.array(z.enum(['card', 'ecps', 'security_key', 'postal_code'])),
    })
    .optional(),
  /** For PASSWORD_POLICY: which rules failed. */
  problems: z.array(z.string()).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const AccountKindSchema = z.enum(['holder', 'card_delegate', 'password_delegate']);
export const AuthMethodSchema = z.enum(['card', 'ecps', 'password', 'security_key', 'postal_code', 'system']);
export const AccountStateSchema = z.enum(['active', 'blocked']);
export const BlockReasonSchema = z.enum(['inactivity', 'suspicious']);
export const UnblockPathSchema = z.enum(['card', 'ecps', 'security_key', 'postal_code']);

export const EVENT_TYPES = [
  'account_created',
  'sign_in',
  'sign_in_failed',
  'sign_in_refused_blocked',
  'sign_out',
  'session_revoked',
  'password_set',
  'password_changed',
  'password_change_failed',
  'password_expired',
  'account_blocked',
  'account_unblocked',
  'reminder_sent',
  'delegation_granted',
  'delegation_revoked',
  'activity_reported',
  'events_purged',
  // card and e-CPS sign-in, and the online unblock paths
  'security_key_set',
  'security_key_failed',
  'postal_code_requested',
  'postal_code_failed',
  'security_key_verified',
  'postal_code_verified',
  'report_case_secured',
  'report_case_closed',
  // a holder withdrew a workstation of the pharmacy (its sessions end, it cannot sign in again)
  'workstation_revoked',
  // a security key refused for want of a fresh proof (wrong current password)
  'security_key_set_failed',
  // after a report, the holder sends a password delegate a one-time code to set a new password
  'fresh_start_sent',
  'fresh_start_failed',
  'fresh_start_used',
  // the second factor of a password sign-in: enrolment, wrong codes, recovery codes, the holder's reset and grace
  'second_factor_enrolled',
  'second_factor_failed',
  'second_factor_reset',
  'recovery_code_used',
  'factor_grace_extended',
  // a delegation's end date (« fin de contrat »): set or changed, the holder's reminder, the end itself
  'delegation_end_set',
  'delegation_end_reminder_sent',
  'delegation_ended',
] as const;
export const EventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventTypeSchema>;
export const OutcomeSchema = z.enum(['success', 'failure', 'info']);

export const PharmacySummarySchema = z.object({ id: uuid, name: z.string(), finess: z.string() });

export const AccountSummarySchema = z.object({
  id: uuid,
  kind: AccountKindSchema,
  displayName: z.string(),
  pharmacy: PharmacySummarySchema,
});
export type AccountSummary = z.infer<typeof AccountSummarySchema>;

/** A password sign-in's second factor: an authenticator app (TOTP) or a code sent by mail. */
export const FactorKindSchema = z.enum(['totp', 'email']);
export type FactorKind = z.infer<typeof FactorKindSchema>;

export const AccountStatusSchema = z.object({
  accountId: uuid,
  kind: AccountKindSchema,
  displayName: z.string(),
  state: AccountStateSchema,
  reason: BlockReasonSchema.nullable(),
  explanation: z.string().nullable(),
  /** When the account is (or was) blocked for inactivity: last activity + 6 months, Europe/Paris. */
  blockAt: iso,
  /** Calendar days (Europe/Paris) until `blockAt`; 0 on the day, negative once past. */
  daysLeft: z.number().int(),
  nextReminderAt: iso.nullable(),
  nextReminderDays: z.number().int().nullable(),
  /** What counted as the last activity; null if the account never signed in (it counts from creation). */
  lastActivity: z
    .object({
      at: iso,
      method: AuthMethodSchema,
      workstationId: z.string().nullable(),
      workstationLabel: z.string().nullable(),
    })
    .nullable(),
  createdAt: iso,
  unblockPaths: z.array(UnblockPathSchema),
  /** A delegate whose delegation has an end date: the last day of access (Paris), `YYYY-MM-DD`. */
  delegationEndsOn: z.iso.date().nullable().optional(),
  /** End of validity of the certificate of the last card that signed in to this account. */
  cardNotAfter: iso.nullable().optional(),
  passwordExpiresAt: iso.nullable(),
  /** The account's second factor for password sign-ins, and since when; null without one. */
  secondFactor: z.object({ kind: FactorKindSchema, enrolledAt: iso }).nullable().optional(),
  /** A password delegate whose password a report withdrew: the holder may give a fresh start. */
  passwordWithdrawn: z.boolean().optional(),
});
export type AccountStatus = z.infer<typeof AccountStatusSchema>;

// ---- auth

export const PasswordSignInRequestSchema = z
  .object({
    /** Assurance Maladie number, FINESS or delegate identifier; never an e-mail. */
    identifier: z.string().trim().min(1).max(64),
    password: z.string().min(1).max(256),
  })
  .strict();

export const SignInResponseSchema = z.object({
  token: z.string(),
  sessionId: uuid,
  /** Idle deadline: moves forward with every call. */
  expiresAt: iso,
  absoluteExpiresAt: iso,
  /** The password has expired: the session can only change it. */
  passwordChangeRequired: z.boolean(),
  account: AccountSummarySchema,
});
export type SignInResponse = z.infer<typeof SignInResponseSchema>;

export const PasswordChangeRequestSchema = z
  .object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) })
  .strict();

export const PasswordCheckRequestSchema = z
  .object({ password: z.string().max(256), identifier: z.string().max(64).optional() })
  .strict();
export const PasswordCheckResponseSchema = z.object({
  acceptable: z.boolean(),
  problems: z.array(z.string()),
  /** zxcvbn score 0..4; 3 or more is required. */
  score: z.number().int().min(0).max(4),
  warning: z.string().nullable(),
  suggestions: z.array(z.string()),
});

export const SessionInfoSchema = z.object({
  id: uuid,
  workstationId: z.string(),
  workstationLabel: z.string(),
  method: AuthMethodSchema,
  scope: z.enum(['full', 'password_change']),
  createdAt: iso,
  lastSeenAt: iso,
  expiresAt: iso,
  current: z.boolean(),
});
export const SessionsResponseSchema = z.object({ sessions: z.array(SessionInfoSchema) });
export const CurrentSessionResponseSchema = z.object({
  session: SessionInfoSchema,
  account: AccountSummarySchema,
});
export const RevokedResponseSchema = z.object({ revoked: z.number().int() });

// ---- accounts and delegations

export const PharmacyAccountsResponseSchema = z.object({ accounts: z.array(AccountStatusSchema) });

/** « Fin de contrat »: the last day of access, Paris time (`YYYY-MM-DD`); the access ends at the end of that day. */
export const DelegationEndsOnSchema = z.iso.date();

export const GrantDelegationRequestSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('card_delegate'),
      displayName: z.string().trim().min(1).max(120),
      nationalId: z.string().regex(/^[08][0-9]{8,11}$/),
      email: z.email().max(254),
      endsOn: DelegationEndsOnSchema.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('password_delegate'),
      displayName: z.string().trim().min(1).max(120),
      identifier: z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9._-]{6,64}$/),
      email: z.email().max(254),
      initialPassword: z.string().min(1).max(256),
      endsOn: DelegationEndsOnSchema.optional(),
    })
    .strict(),
]);

export const DelegationSchema = z.object({
  id: uuid,
  grantedAt: iso,
  grantedBy: uuid,
  revokedAt: iso.nullable(),
  /** The last day of access (Paris), or null without an end date. */
  endsOn: z.iso.date().nullable(),
  delegate: AccountStatusSchema,
});
export const SetDelegationEndRequestSchema = z.object({ endsOn: DelegationEndsOnSchema.nullable() }).strict();
export const DelegationsResponseSchema = z.object({ delegations: z.array(DelegationSchema) });
export const IdParamsSchema = z.object({ id: uuid }).strict();

// ---- workstations

/**
 * Registration of a workstation's Ed25519 key: the workstation signs
 * `vigie-workstation-registration\n<id>\n<label>\n<publicKey>\n<challenge>` (see workstationRegistrationMessage).
 */
export const WorkstationChallengeResponseSchema = z.object({ challenge: z.string(), expiresAt: iso });
export const WorkstationRegisterRequestSchema = z
  .object({
    workstationId: uuid,
    label: z
      .string()
      .trim()
      .min(1)
      .max(60)
      // eslint-disable-next-line no-control-regex
      .refine((v) => !/[\u0000-\u001f\u007f\p{Cf}]/u.test(v), 'control or format characters'),
    /** SPKI DER, base64 (an Ed25519 SPKI is 44 bytes). */
    publicKey: z.base64().min(40).max(200),
    challenge: z.string().min(16).max(100),
    signature: z.base64().min(40).max(200),
  })
  .strict();
export type WorkstationRegisterRequest = z.infer<typeof WorkstationRegisterRequestSchema>;
export const workstationRegistrationMessage = (r: Omit<WorkstationRegisterRequest, 'signature'>) =>
  ['vigie-workstation-registration', r.workstationId, r.label, r.publicKey, r.challenge].join('\n');
export const WorkstationRegisterResponseSchema = z.object({
  workstationId: uuid,
  label: z.string(),
  registeredAt: iso,
});

export const PharmacyWorkstationSchema = z.object({
  id: z.string(),
  label: z.string(),
  firstSeenAt: iso,
  lastSeenAt: iso,
  /** When it proved it holds its key (null: an older workstation that never registered). */
  registeredAt: iso.nullable(),
  revokedAt: iso.nullable(),
  /** The person of the pharmacy who used it last. */
  lastUsedBy: z.string().nullable(),
  openSessions: z.number().int(),
  /** The workstation of the session asking. */
  current: z.boolean(),
  /**
   * First seen less than a week ago (« nouveau poste »): a reinstall, or a computer the holder may not know.
   * Optional, like `otherPharmacy`: a backend older than these fields does not send them.
   */
  isNew: z.boolean().optional(),
  /** Used by the pharmacy's accounts but belonging to another pharmacy: its holder alone can withdraw it. */
  otherPharmacy: z.boolean().optional(),
});
export type PharmacyWorkstation = z.infer<typeof PharmacyWorkstationSchema>;
export const PharmacyWorkstationsResponseSchema = z.object({
  workstations: z.array(PharmacyWorkstationSchema),
});
export const WorkstationIdParamsSchema = z.object({ id: uuid }).strict();

// ---- events

export const EventSchema = z.object({
  id: z.number().int(),
  accountId: uuid,
  seq: z.number().int(),
  at: iso,
  type: EventTypeSchema,
  method: AuthMethodSchema.nullable(),
  outcome: OutcomeSchema,
  workstationId: z.string().nullable(),
  workstationLabel: z.string().nullable(),
  ip: z.string().nullable(),
  appVersion: z.string().nullable(),
  cardSerial: z.string().nullable(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  /** Its link in the account's hash chain: workstations keep the ones they showed, to notice a rewrite. */
  hash: z.string().optional(),
});
export type VigieEvent = z.infer<typeof EventSchema>;

export const EventsQuerySchema = z
  .object({
    /** Another account of the pharmacy (holder only); defaults to the signed-in account. */
    accountId: uuid.optional(),
    type: EventTypeSchema.optional(),
    method: AuthMethodSchema.optional(),
    outcome: OutcomeSchema.optional(),
    workstationId: z.string().max(64).optional(),
    from: iso.optional(),
    to: iso.optional(),
    /** Opaque cursor from the previous page. */
    cursor: z
      .string()
      .regex(/^[0-9]{1,15}$/)
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type EventsQuery = z.input<typeof EventsQuerySchema>;

export const EventsPageSchema = z.object({ events: z.array(EventSchema), nextCursor: z.string().nullable() });

export const VerifyQuerySchema = z.object({ accountId: uuid.optional() }).strict();
export const VerifyResponseSchema = z.object({
  accountId: uuid,
  ok: z.boolean(),
  /** Events checked (after the retention anchor). */
  checked: z.number().int(),
  anchorSeq: z.number().int(),
  firstBad: z
    .object({
      seq: z.number().int(),
      id: z.number().int().nullable(),
      problem: z.enum(['altered', 'missing', 'link_broken', 'head_mismatch', 'rewritten']),
    })
    .nullable(),
});
export type VerifyResponse = z.infer<typeof VerifyResponseSchema>;

// ---- service

export const HealthResponseSchema = z.object({ status: z.literal('ok'), version: z.string() });
export const ReadyResponseSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  database: z.enum(['pglite', 'postgres']),
});
