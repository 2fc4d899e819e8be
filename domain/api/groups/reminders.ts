import { z } from 'zod';
import { call, event } from '../define';

/** The one status scale (UX.md): active · D-30 · D-7 · D-1 · blocked. */
export const UrgencySchema = z.enum(['active', 'd30', 'd7', 'd1', 'blocked']);
export type Urgency = z.infer<typeof UrgencySchema>;

export const ReminderSchema = z.object({
  accountId: z.string(),
  displayName: z.string(),
  urgency: UrgencySchema,
  blockAt: z.string(),
  daysLeft: z.number().int(),
  /** The status could not be refreshed from the backend since `checkedAt`. */
  stale: z.boolean(),
  checkedAt: z.string(),
  snoozedUntil: z.string().nullable(),
  /**
   * Set when the line is a CPS card's end, not an account's block: `accountId` is then `card:<serial>` (what
   * `snooze` takes), `displayName` the holder, `blockAt` the certificate's end, and `level` the dashboard's level
   * (domain/policy/card-expiry: D-60 information, D-30, D-7, expired).
   */
  card: z.object({ level: z.enum(['info', 'd30', 'd7', 'expired']) }).optional(),
});
export type Reminder = z.infer<typeof ReminderSchema>;

export const remindersGroup = {
  /** Every account known on this workstation (it signed in here), most urgent first. */
  list: call(z.void(), z.object({ reminders: z.array(ReminderSchema) })),
  changed: event(z.object({ reminders: z.array(ReminderSchema) })),
  snooze: call(
    z.object({ accountId: z.string(), hours: z.number().int().min(1).max(72) }).strict(),
    z.object({ snoozedUntil: z.string() }),
  ),
};
