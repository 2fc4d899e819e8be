import { z } from 'zod';
import { call } from '../define';

/** Demo mode only (clearly marked in the UI): virtual cards and e-CPS approvals, so anyone can try every story. */
export const DemoPersonSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  role: z.string(),
  /** What this person shows: e.g. « bloqué pour inactivité », « bloqué dans 5 jours ». */
  situation: z.string(),
  hasCard: z.boolean(),
  identifier: z.string().nullable(),
  password: z.string().nullable(),
});

export const demoGroup = {
  people: call(z.void(), z.object({ available: z.boolean(), people: z.array(DemoPersonSchema) })),
  insertCard: call(
    z
      .object({
        personId: z.string().max(40),
        profile: z.enum(['cps3', 'cps4']).default('cps3'),
        /** A card near its end: its certificates end in this many days (a new CPS lasts 3 years). */
        certValidDays: z.number().int().min(1).max(3650).optional(),
      })
      .strict(),
    z.object({ inserted: z.boolean() }),
  ),
  removeCard: call(z.void(), z.object({ removed: z.boolean() })),
  /**
   * Moves the demo's clock forward (core and embedded backend) and runs the backend's jobs, to see a deadline
   * without waiting for it: a delegation's last day, a block date. Forward only; never outside demo mode.
   */
  advanceClock: call(
    z
      .object({
        minutes: z
          .number()
          .int()
          .min(1)
          .max(400 * 24 * 60),
      })
      .strict(),
    z.object({ now: z.string() }),
  ),
  /** Answers the pending e-CPS request as the phone would. */
  answerEcps: call(z.object({ approve: z.boolean() }).strict(), z.object({ answered: z.boolean() })),
  /** The last letter in the outbox (postal path), so the demo can show the code a person would receive. */
  lastLetter: call(
    z.void(),
    z.object({ reference: z.string(), code: z.string(), pdfBase64: z.string() }).nullable(),
  ),
  /**
   * A demo person's mailbox: the newest mails the embedded backend wrote to them, newest first (mails are files on
   * this computer in the demo).
   */
  mailbox: call(
    z.object({ personId: z.string().max(40) }).strict(),
    z.object({ mails: z.array(z.object({ subject: z.string(), text: z.string(), sentAt: z.string() })) }),
  ),
};
