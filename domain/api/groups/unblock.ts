import { z } from 'zod';
import {
  FreshStartRedeemRequestSchema,
  FreshStartRedeemResponseSchema,
} from '../../backend-api/schemas-signin';
import { PasswordCheckResponseSchema, UnblockPathSchema } from '../../backend-api/schemas';
import { call } from '../define';

export const PostalStateSchema = z.object({
  status: z.enum(['none', 'requested', 'printed', 'in-post', 'expected', 'used', 'expired']),
  requestedAt: z.string().nullable(),
  printedAt: z.string().nullable(),
  expectedBy: z.string().nullable(),
  expiresAt: z.string().nullable(),
  /** When a new letter may be asked for (48 h after the last, or at expiry). */
  nextRequestAt: z.string().nullable(),
  reference: z.string().nullable(),
});
export type PostalState = z.infer<typeof PostalStateSchema>;

/** An unblock ticket proves a successful security key or postal code; it only allows setting a new password. */
const Ticket = z.object({ ticket: z.string(), expiresAt: z.string() });

export const unblockGroup = {
  /**
   * Which ways out to offer. With an identifier alone the answer is the same choice for everyone (it never tells
   * who has an account); the person's own paths come with a proven factor (the blocked answer of a sign-in whose
   * password was right) or once a first step succeeded. Without an identifier: the card ways too.
   */
  eligibility: call(
    z
      .object({
        identifier: z.string().trim().min(1).max(64).optional(),
        has: z.object({ card: z.boolean(), ecps: z.boolean(), letter: z.boolean() }).partial().default({}),
      })
      .strict(),
    z.object({ paths: z.array(UnblockPathSchema), securityKeyTriesLeft: z.number().int().nullable() }),
  ),
  securityKeyQuestions: call(
    z.void(),
    z.object({
      questions: z.array(
        z.object({
          id: z.string(),
          kind: z.enum(['date', 'postal-code', 'digits']),
          length: z.number().int().optional(),
        }),
      ),
    }),
  ),
  submitSecurityKey: call(
    z
      .object({
        identifier: z.string().trim().min(1).max(64),
        answers: z.record(z.string().max(40), z.string().max(100)),
      })
      .strict(),
    Ticket,
  ),
  /** The same answer for every identifier; the core keeps the request's handle, the renderer never sees it. */
  requestPostalCode: call(
    z.object({ identifier: z.string().trim().min(1).max(64) }).strict(),
    PostalStateSchema,
  ),
  /** The letter this workstation requested for the identifier (status `none` if it requested none). */
  postalState: call(z.object({ identifier: z.string().trim().min(1).max(64) }).strict(), PostalStateSchema),
  submitPostalCode: call(
    z
      .object({ identifier: z.string().trim().min(1).max(64), code: z.string().trim().min(6).max(40) })
      .strict(),
    Ticket,
  ),
  checkPassword: call(
    z.object({ password: z.string().max(256), identifier: z.string().max(64).optional() }).strict(),
    PasswordCheckResponseSchema,
  ),
  /** After a report: the code the holder's fresh start mailed, and a new password. */
  redeemFreshStart: call(FreshStartRedeemRequestSchema, FreshStartRedeemResponseSchema),
  /** Last step of the security-key and postal paths: a new password, then the account is active again. */
  setNewPassword: call(
    z.object({ ticket: z.string().min(1).max(200), newPassword: z.string().min(1).max(256) }).strict(),
    z.object({ unblocked: z.literal(true) }),
  ),
};
