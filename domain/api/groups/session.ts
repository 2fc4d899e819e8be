import { z } from 'zod';
import {
  AccountKindSchema,
  AuthMethodSchema,
  BlockReasonSchema,
  PasswordCheckResponseSchema,
  UnblockPathSchema,
} from '../../backend-api/schemas';
import { FactorGraceSchema, FactorKindSchema, FactorMethodSchema } from '../../backend-api/schemas-factors';
import { call, event } from '../define';

/** Who is signed in on this workstation, as the renderer may know it (never a token). */
export const SessionUserSchema = z.object({
  accountId: z.string(),
  displayName: z.string(),
  kind: AccountKindSchema,
  pharmacyName: z.string(),
  method: AuthMethodSchema,
});

/**
 * "Remember me" as the sign-in screen may know it: whether this workstation can keep a session across a restart
 * (an OS keychain is there), and whether the current session is kept. The token itself never crosses.
 */
export const RememberStateSchema = z.object({
  /** An OS keychain answers: "remember me" can be offered (password sign-in). */
  available: z.boolean(),
  /** Why it cannot be offered; null when available, or while the keychain has not been asked yet. */
  reason: z.enum(['keychain-unavailable']).nullable(),
  /** The current session is kept in the keychain: it resumes if Vigie restarts (within the backend's limits). */
  active: z.boolean(),
});
export type RememberState = z.infer<typeof RememberStateSchema>;

export const SessionStateSchema = z.object({
  /** locked: the session exists but the screen is locked (card pulled, idle); signing in again unlocks. */
  status: z.enum(['signed-out', 'signed-in', 'locked']),
  user: SessionUserSchema.nullable(),
  /** Why the last session ended or locked, for the lock screen and the sign-in screen. */
  endedBecause: z.enum(['sign-out', 'card-removed', 'idle', 'absolute', 'revoked', 'backend']).nullable(),
  idleExpiresAt: z.string().nullable(),
  absoluteExpiresAt: z.string().nullable(),
  passwordChangeRequired: z.boolean(),
  remember: RememberStateSchema,
  /**
   * A password session opened without a second factor, in the pharmacy's grace period: the banner counts down the
   * whole days left, counted by the core's clock when the session opened.
   */
  factorGrace: FactorGraceSchema.extend({ daysLeft: z.number().int().nonnegative() }).nullable(),
});
export type SessionState = z.infer<typeof SessionStateSchema>;

/** Why a sign-in did not open a session, when it is not an error: a blocked account has a way out. */
export const SignInOutcomeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signed-in'), session: SessionStateSchema }),
  z.object({
    status: z.literal('blocked'),
    reason: BlockReasonSchema,
    explanation: z.string(),
    unblockPaths: z.array(UnblockPathSchema),
    /** The identifier to carry into the unblock wizard (password sign-in only). */
    identifier: z.string().nullable(),
  }),
  /**
   * The password was right and a second step remains (the ticket stays in the core): `verify` takes a code of the
   * enrolled factor or a recovery code; `enrol` first proves the dedicated mailbox, then records a factor.
   */
  z.object({
    status: z.literal('second-step'),
    purpose: z.enum(['verify', 'enrol']),
    methods: z.array(FactorMethodSchema),
    mailTo: z.string(),
    expiresAt: z.string(),
  }),
]);
export type SignInOutcome = z.infer<typeof SignInOutcomeSchema>;

export const EcpsStateSchema = z.object({
  status: z.enum(['idle', 'pending', 'approved', 'refused', 'expired', 'cancelled', 'error']),
  /** Shown on the phone and on screen, so the person knows it is this request. */
  bindingMessage: z.string().nullable(),
  expiresAt: z.string().nullable(),
});
export type EcpsState = z.infer<typeof EcpsStateSchema>;

export const sessionGroup = {
  getState: call(z.void(), SessionStateSchema),
  state: event(SessionStateSchema),
  signInWithPassword: call(
    z
      .object({
        identifier: z.string().trim().min(1).max(64),
        password: z.string().min(1).max(256),
        /** Keep this session in the OS keychain so that it resumes if Vigie restarts (4 h at most). */
        remember: z.boolean().optional(),
      })
      .strict(),
    SignInOutcomeSchema,
  ),
  /** e-CPS: starts a back-channel request to the holder's phone; progress comes as `ecps` events. */
  startEcps: call(z.object({ nationalId: z.string().regex(/^[08][0-9]{8,11}$/) }).strict(), EcpsStateSchema),
  cancelEcps: call(z.void(), EcpsStateSchema),
  ecps: event(EcpsStateSchema),
  signOut: call(z.void(), SessionStateSchema),
  /** Second step: mails a one-time code to the dedicated address (for the e-mail factor, or to prove it before enrolling). */
  sendFactorCode: call(z.void(), z.object({ mailTo: z.string(), expiresAt: z.string(), nextAt: z.string() })),
  /** Second step: a code of the factor, or a recovery code. */
  submitSecondFactor: call(
    z.object({ method: FactorMethodSchema, code: z.string().trim().min(6).max(20) }).strict(),
    SignInOutcomeSchema,
  ),
  /**
   * Enrolment, with the mailed code: a new authenticator secret, as a QR code drawn on this computer (SVG, no request
   * leaves it) and as a key for manual entry.
   */
  startTotpEnrolment: call(
    z.object({ mailCode: z.string().trim().min(6).max(20) }).strict(),
    z.object({ secret: z.string(), qrSvg: z.string() }),
  ),
  /** Enrolment: the app's first code (or the mailed code for the e-mail factor). Answers the recovery codes, once. */
  confirmEnrolment: call(
    z.object({ kind: FactorKindSchema, code: z.string().trim().min(6).max(20) }).strict(),
    z.object({ recoveryCodes: z.array(z.string()) }),
  ),
  /** After the recovery codes were shown: the session the enrolment opened begins (or, from a session, nothing more). */
  finishEnrolment: call(z.void(), SignInOutcomeSchema),
  /** From a session (the grace banner): enrol a factor; the same steps as at sign-in, through the mailbox. */
  startEnrolment: call(z.void(), SignInOutcomeSchema),
  /** The person is active at the screen (keys, pointer): keeps the 1 h idle lock away, within the 4 h limit. */
  touch: call(z.void(), z.object({ idleExpiresAt: z.string().nullable() })),
  changePassword: call(
    z
      .object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) })
      .strict(),
    SessionStateSchema,
  ),
  /** Live strength and policy check while typing a new password (the dictionary stays out of the renderer). */
  checkPassword: call(
    z.object({ password: z.string().max(256), identifier: z.string().max(64).optional() }).strict(),
    PasswordCheckResponseSchema,
  ),
};
