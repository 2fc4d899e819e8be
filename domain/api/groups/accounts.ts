import { z } from 'zod';
import {
  AccountStatusSchema,
  DelegationEndsOnSchema,
  GrantDelegationRequestSchema,
  PharmacyWorkstationSchema,
} from '../../backend-api/schemas';
import {
  FreshStartRequestSchema,
  FreshStartResponseSchema,
  SetSecurityKeyRequestSchema,
  SetSecurityKeyResponseSchema,
} from '../../backend-api/schemas-signin';
import {
  ExtendGraceResponseSchema,
  FactorGraceSchema,
  FactorKindSchema,
  ResetFactorRequestSchema,
  ResetFactorResponseSchema,
} from '../../backend-api/schemas-factors';
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

/** A password delegate's second factor, as the holder may know it: the kind enrolled, or none. */
export const DelegateFactorSchema = z.object({
  accountId: z.uuid(),
  kind: FactorKindSchema.nullable(),
  /** When the factor was enrolled; null without one. */
  enrolledAt: z.string().nullable(),
});
export type DelegateFactor = z.infer<typeof DelegateFactorSchema>;

/** The pharmacy's second factor, for the holder's screen: its grace period, and each password delegate's factor. */
export const PharmacyFactorsSchema = z.object({
  /** Null until a password sign-in of the pharmacy started it. */
  grace: FactorGraceSchema.nullable(),
  /** A password alone still opens a session now (by the core's clock, which the demo may move): the grace runs. */
  inGrace: z.boolean(),
  delegates: z.array(DelegateFactorSchema),
});
export type PharmacyFactors = z.infer<typeof PharmacyFactorsSchema>;

export const accountsGroup = {
  /** The signed-in account: state, block date, last activity, security checklist. */
  getMine: call(z.void(), MyAccountSchema),
  /** Holder only: every account of the pharmacy, most urgent first. */
  listPharmacy: call(z.void(), z.object({ accounts: z.array(AccountStatusSchema) })),
  /** The same request the backend takes: one schema for both seams. */
  grantDelegation: call(GrantDelegationRequestSchema, z.object({ accountId: z.string() })),
  revokeDelegation: call(
    z.object({ accountId: z.string().uuid() }).strict(),
    z.object({ revoked: z.boolean() }),
  ),
  /** Holder only: set, change or remove a delegate's last day (« fin de contrat », Paris); null removes it. */
  setDelegationEnd: call(
    z.object({ accountId: z.uuid(), endsOn: DelegationEndsOnSchema.nullable() }).strict(),
    z.object({ endsOn: DelegationEndsOnSchema.nullable() }),
  ),
  /** Holder only: the workstations the pharmacy's accounts used, withdrawn ones last. */
  listWorkstations: call(z.void(), z.object({ workstations: z.array(PharmacyWorkstationSchema) })),
  /** Holder only: withdraw a workstation (its sessions end; no one can sign in from it again). */
  revokeWorkstation: call(z.object({ id: z.uuid() }).strict(), PharmacyWorkstationSchema),
  /** Holder only, from a card or e-CPS session: mail a reported password delegate a one-time code. */
  freshStart: call(FreshStartRequestSchema, FreshStartResponseSchema),
  /**
   * Set or replace the signed-in account's security key (answers as the backend takes them: dates in ISO). It
   * takes the current password, or a card or e-CPS sign-in of the last few minutes; the owner is mailed.
   */
  setSecurityKey: call(SetSecurityKeyRequestSchema, SetSecurityKeyResponseSchema),
  /** Holder only: the pharmacy's grace period and which password delegates have a second factor. */
  pharmacyFactors: call(z.void(), PharmacyFactorsSchema),
  /**
   * Holder only, from a card or e-CPS session: remove a delegate's second factor and recovery codes. The delegate
   * enrols again at the next sign-in, through a code mailed to the dedicated address; both are mailed.
   */
  resetDelegateFactor: call(ResetFactorRequestSchema, ResetFactorResponseSchema),
  /** Holder only: extend the pharmacy's grace period once, by 30 days. */
  extendFactorGrace: call(z.void(), ExtendGraceResponseSchema),
};
