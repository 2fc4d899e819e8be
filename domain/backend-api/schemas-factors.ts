/**
 * Backend HTTP schemas of the second factor of a password sign-in (TOTP or a mailed code, recovery codes), its
 * enrolment and the pharmacy's grace period. Same conventions as ./schemas.ts.
 */
import { z } from 'zod';
import { FactorKindSchema, SignInResponseSchema } from './schemas';

export { FactorKindSchema, type FactorKind } from './schemas';

const iso = z.iso.datetime({ offset: true });
const ticket = z.string().min(20).max(200);

/** What can answer a second step: the enrolled factor, or one of the recovery codes. */
export const FactorMethodSchema = z.enum(['totp', 'email', 'recovery']);
export type FactorMethod = z.infer<typeof FactorMethodSchema>;

/** Where the pharmacy stands with the second factor, carried by a password session opened without one. */
export const FactorGraceSchema = z.object({
  /** Until then a password alone still opens a session; after, the factor is required. */
  graceEndsAt: iso,
  /** The holder may extend the grace once. */
  extendable: z.boolean(),
});
export type FactorGrace = z.infer<typeof FactorGraceSchema>;

/**
 * The right password, and a second step to go: neither a session nor a refusal. `verify`: the enrolled factor (or a
 * recovery code) opens the session; `enrol`: the account has no factor and must enrol one, proven by a code mailed
 * to its dedicated address.
 */
export const SecondStepSchema = z.object({
  secondStep: z.object({
    ticket: z.string(),
    purpose: z.enum(['verify', 'enrol']),
    expiresAt: iso,
    methods: z.array(FactorMethodSchema),
    /** « s•••@exemple.fr »: where mailed codes go. */
    mailTo: z.string(),
  }),
});
export type SecondStep = z.infer<typeof SecondStepSchema>['secondStep'];

/** The answer to a password sign-in: a session (with the grace it was opened under, if any), or a second step. */
export const PasswordSignInResponseSchema = z.union([
  SignInResponseSchema.extend({ factorGrace: FactorGraceSchema.optional() }),
  SecondStepSchema,
]);
export type PasswordSignInResponse = z.infer<typeof PasswordSignInResponseSchema>;

export const FactorTicketRequestSchema = z.object({ ticket }).strict();
export const MailCodeResponseSchema = z.object({
  mailTo: z.string(),
  expiresAt: iso,
  /** A new code can be asked for from then on. */
  nextAt: iso,
});

export const SecondFactorRequestSchema = z
  .object({
    ticket,
    method: FactorMethodSchema,
    code: z.string().trim().min(6).max(20),
  })
  .strict();

/** After the mailed code: the secret of the authenticator app being enrolled (shown once, as a QR code and a key). */
export const EnrolTotpRequestSchema = z
  .object({ ticket, mailCode: z.string().trim().min(6).max(20) })
  .strict();
export const EnrolTotpResponseSchema = z.object({
  /** Base32, for manual entry. */
  secret: z.string(),
  /** otpauth:// URI, drawn as a QR code on the workstation (never fetched). */
  uri: z.string(),
});

/**
 * Completes an enrolment: `totp` with the first code of the app (after /enrol/totp), `email` with the mailed code.
 * Answers the ten recovery codes, shown once, and the session when the enrolment came from a sign-in.
 */
export const EnrolConfirmRequestSchema = z
  .object({ ticket, kind: FactorKindSchema, code: z.string().trim().min(6).max(20) })
  .strict();
export const EnrolConfirmResponseSchema = z.object({
  kind: FactorKindSchema,
  recoveryCodes: z.array(z.string()).length(10),
  session: SignInResponseSchema.optional(),
});

/** The signed-in account's factor, and the pharmacy's grace. */
export const MyFactorResponseSchema = z.object({
  kind: FactorKindSchema.nullable(),
  enrolledAt: iso.nullable(),
  recoveryCodesLeft: z.number().int(),
  grace: FactorGraceSchema.nullable(),
  /** True when a password sign-in needs the factor now. */
  required: z.boolean(),
});

/** The holder resets a delegate's factor: the delegate enrols again at the next sign-in; both are mailed. */
export const ResetFactorRequestSchema = z.object({ accountId: z.uuid() }).strict();
export const ResetFactorResponseSchema = z.object({ reset: z.literal(true) });
export const ExtendGraceResponseSchema = FactorGraceSchema;
