import { z } from 'zod';
import { AccountStatusSchema } from '../../backend-api/schemas';
import { call } from '../define';

export const SecurityCheckSchema = z.object({
  id: z.enum(['dedicated-mailbox', 'password-fresh', 'credentials-not-shared', 'events-reviewed']),
  status: z.enum(['ok', 'todo', 'unknown']),
  /** Machine-readable: an ISO date (password expiry, last review) or a count (open sessions); the renderer words it. */
  detail: z.string().nullable(),
});
export type SecurityCheck = z.infer<typeof SecurityCheckSchema>;

export const MyAccountSchema = z.object({
  status: AccountStatusSchema,
  email: z.string().nullable(),
  security: z.array(SecurityCheckSchema),
  /** When this status was fetched; `stale` when the backend could not be reached since. */
  fetchedAt: z.string(),
  stale: z.boolean(),
});
export type MyAccount = z.infer<typeof MyAccountSchema>;

export const accountsGroup = {
  /** The signed-in account: state, block date, last activity, security checklist. */
  getMine: call(z.void(), MyAccountSchema),
  /** Holder only: every account of the pharmacy, most urgent first. */
  listPharmacy: call(z.void(), z.object({ accounts: z.array(AccountStatusSchema) })),
  grantDelegation: call(
    z.discriminatedUnion('kind', [
      z
        .object({
          kind: z.literal('card_delegate'),
          displayName: z.string().trim().min(1).max(120),
          nationalId: z.string().regex(/^[08][0-9]{8,11}$/),
          email: z.email().max(254),
        })
        .strict(),
      z
        .object({
          kind: z.literal('password_delegate'),
          displayName: z.string().trim().min(1).max(120),
          identifier: z.string().trim().regex(/^[A-Za-z0-9._-]{6,64}$/),
          email: z.email().max(254),
          initialPassword: z.string().min(1).max(256),
        })
        .strict(),
    ]),
    z.object({ accountId: z.string() }),
  ),
  revokeDelegation: call(z.object({ accountId: z.string().uuid() }).strict(), z.object({ revoked: z.boolean() })),
};
