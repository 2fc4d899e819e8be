import { z } from 'zod';
import {
  AuthMethodSchema,
  EventSchema,
  EventTypeSchema,
  OutcomeSchema,
  VerifyResponseSchema,
} from '../../backend-api/schemas';
import { call } from '../define';

export const EventFiltersSchema = z
  .object({
    accountId: z.string().uuid().optional(),
    type: EventTypeSchema.optional(),
    method: AuthMethodSchema.optional(),
    outcome: OutcomeSchema.optional(),
    workstationId: z.string().max(64).optional(),
    from: z.string().max(40).optional(),
    to: z.string().max(40).optional(),
  })
  .strict();
export type EventFilters = z.infer<typeof EventFiltersSchema>;

export const CaseSchema = z.object({
  id: z.string(),
  eventId: z.number().int(),
  openedAt: z.string(),
  status: z.enum(['received', 'secured', 'closed']),
  steps: z.array(
    z.object({ status: z.enum(['received', 'secured', 'closed']), at: z.string(), note: z.string() }),
  ),
  /** What Vigie did: sessions closed, password change required, account blocked on request. */
  actions: z.array(z.enum(['sessions-revoked', 'password-change-required', 'account-blocked'])),
  advice: z.string(),
});
export type Case = z.infer<typeof CaseSchema>;

/**
 * The workstation's own check of the history: the first event it showed that the server no longer has as it
 * was (`changed`), and whether a retention purge removed events it had shown (`purged`, no alarm).
 */
export const HistoryCheckSchema = z.object({
  changed: z
    .object({
      seq: z.number().int(),
      at: z.string(),
      type: z.string(),
      problem: z.enum(['altered', 'missing']),
    })
    .nullable(),
  purged: z.boolean(),
});
export type HistoryCheck = z.infer<typeof HistoryCheckSchema>;

export const eventsGroup = {
  list: call(
    z
      .object({
        filters: EventFiltersSchema.default({}),
        cursor: z
          .string()
          .regex(/^[0-9]{1,15}$/)
          .optional(),
        limit: z.number().int().min(1).max(200).default(100),
      })
      .strict(),
    z.object({ events: z.array(EventSchema), nextCursor: z.string().nullable() }),
  ),
  /** Sign-ins per ISO week (successes and failures), for the small chart above the log. */
  weekly: call(
    z
      .object({ accountId: z.string().uuid().optional(), weeks: z.number().int().min(1).max(52).default(12) })
      .strict(),
    z.object({
      weeks: z.array(
        z.object({ weekStart: z.string(), success: z.number().int(), failure: z.number().int() }),
      ),
    }),
  ),
  /** The server's check of the chain, and this workstation's comparison with the events it showed. */
  verify: call(
    z.object({ accountId: z.string().uuid().optional() }).strict(),
    VerifyResponseSchema.extend({ history: HistoryCheckSchema.optional() }),
  ),
  /** The filtered log as CSV text; the renderer saves it as a file. */
  exportCsv: call(
    z.object({ filters: EventFiltersSchema.default({}) }).strict(),
    z.object({ filename: z.string(), csv: z.string() }),
  ),
  /** « Je ne reconnais pas cette activité ». */
  report: call(
    z
      .object({
        eventId: z.number().int().positive(),
        comment: z.string().max(1000).optional(),
        blockAccount: z.boolean().default(false),
      })
      .strict(),
    CaseSchema,
  ),
  listCases: call(z.void(), z.object({ cases: z.array(CaseSchema) })),
  /** The person looked at the log (for the "events reviewed" check). */
  markReviewed: call(z.void(), z.object({ reviewedAt: z.string() })),
};
