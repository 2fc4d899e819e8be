/**
 * Backend HTTP schemas of card and e-CPS sign-in, the unblock paths (security key, postal code, new password with a
 * single-use ticket) and report cases. Same conventions as ./schemas.ts.
 */
import { z } from 'zod';
import { SignInResponseSchema, UnblockPathSchema } from './schemas';

const iso = z.iso.datetime({ offset: true });
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]+={0,2}$/);
const identifier = z.string().trim().min(1).max(64);

// ---- card

export const CardChallengeResponseSchema = z.object({
  /** base64url of the 32 bytes the card signs. Single use, bound to the workstation that asked. */
  challenge: z.string(),
  expiresAt: iso,
});
export const CardSignInRequestSchema = z
  .object({
    challenge: z.string().min(20).max(100),
    /** The card's signature, base64. */
    signature: base64.max(2048),
    /** The authentication certificate read from the card (DER), base64. */
    certificate: base64.max(8192),
    /** The card serial, for the events log. */
    cardSerial: z
      .string()
      .regex(/^[0-9A-Za-z]{1,32}$/)
      .optional(),
  })
  .strict();

// ---- e-CPS

export const EcpsStartRequestSchema = z
  .object({ nationalId: z.string().regex(/^[08][0-9]{8,11}$/) })
  .strict();
export const EcpsStartResponseSchema = z.object({
  transactionId: z.uuid(),
  bindingMessage: z.string(),
  expiresAt: iso,
});
export const EcpsTransactionRequestSchema = z.object({ transactionId: z.uuid() }).strict();
/** Pending while the phone has not answered; approved carries the opened session. Refusals are errors. */
export const EcpsPollResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('pending'), bindingMessage: z.string(), expiresAt: iso }),
  z.object({ status: z.literal('approved'), session: SignInResponseSchema }),
]);
export const EcpsCancelResponseSchema = z.object({ cancelled: z.literal(true) });

// ---- unblock

export const UnblockEligibilityRequestSchema = z
  .object({
    identifier: identifier.optional(),
    has: z.object({ card: z.boolean(), ecps: z.boolean(), letter: z.boolean() }).partial().default({}),
  })
  .strict();
export const UnblockEligibilityResponseSchema = z.object({
  paths: z.array(UnblockPathSchema),
  securityKeyTriesLeft: z.number().int().nullable(),
});

export const SecurityKeyQuestionsResponseSchema = z.object({
  questions: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['date', 'postal-code', 'digits']),
      label: z.string(),
      length: z.number().int().optional(),
    }),
  ),
});
const Answers = z.record(z.string().max(40), z.string().max(100));
export const SecurityKeySubmitRequestSchema = z.object({ identifier, answers: Answers }).strict();
/**
 * Setting or replacing the key takes a fresh proof: the current password, or a card or e-CPS sign-in of the last
 * few minutes (then `currentPassword` may be left out).
 */
export const SetSecurityKeyRequestSchema = z
  .object({ answers: Answers, currentPassword: z.string().min(1).max(256).optional() })
  .strict();
export const SetSecurityKeyResponseSchema = z.object({ setAt: iso });

export const UnblockTicketResponseSchema = z.object({ ticket: z.string(), expiresAt: iso });

export const PostalRequestSchema = z.object({ identifier }).strict();
export const PostalStateResponseSchema = z.object({
  status: z.enum(['none', 'requested', 'printed', 'in-post', 'expected', 'used', 'expired']),
  requestedAt: iso.nullable(),
  printedAt: iso.nullable(),
  expectedBy: iso.nullable(),
  expiresAt: iso.nullable(),
  nextRequestAt: iso.nullable(),
  reference: z.string().nullable(),
  /** Given to the workstation that made the request: the letter's state is shown to it only (postal-code/state). */
  handle: z.string().optional(),
});
/** The letter's state: for the workstation that holds the request's handle (an identifier alone shows nothing). */
export const PostalStateRequestSchema = z
  .object({ identifier: identifier.optional(), handle: z.string().min(20).max(200).optional() })
  .strict();
export const PostalRedeemRequestSchema = z
  .object({ identifier, code: z.string().trim().min(6).max(40) })
  .strict();

export const UnblockPasswordRequestSchema = z
  .object({ ticket: z.string().min(20).max(200), newPassword: z.string().min(1).max(256) })
  .strict();
export const UnblockPasswordResponseSchema = z.object({ unblocked: z.literal(true) });

// ---- report cases

export const ReportCaseActionSchema = z.enum([
  'sessions-revoked',
  'password-change-required',
  'account-blocked',
]);
export const ReportCaseSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  eventId: z.number().int(),
  openedAt: iso,
  status: z.enum(['received', 'secured', 'closed']),
  steps: z.array(z.object({ status: z.enum(['received', 'secured', 'closed']), at: iso, note: z.string() })),
  actions: z.array(ReportCaseActionSchema),
  advice: z.string(),
});
export type ReportCaseDto = z.infer<typeof ReportCaseSchema>;
export const OpenReportRequestSchema = z
  .object({
    eventId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    comment: z.string().max(1000).optional(),
    blockAccount: z.boolean().default(false),
  })
  .strict();
export const ReportCasesResponseSchema = z.object({ cases: z.array(ReportCaseSchema) });

/** The holder, from her card or e-CPS session, gives a reported password delegate a fresh start. */
export const FreshStartRequestSchema = z.object({ accountId: z.string().uuid() }).strict();
export const FreshStartResponseSchema = z.object({ sentAt: iso, expiresAt: iso, sentTo: z.string() });
/** The delegate types the code mailed to her dedicated address and a new password. */
export const FreshStartRedeemRequestSchema = z
  .object({
    identifier,
    code: z.string().min(1).max(40),
    newPassword: z.string().min(1).max(256),
  })
  .strict();
export const FreshStartRedeemResponseSchema = z.object({ passwordSet: z.literal(true) });
