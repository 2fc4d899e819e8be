import { z } from 'zod';
import { ErrorCodeSchema } from './errors';

/** The card and reader state the card process reports, as the renderer sees it. */
export const CardKindSchema = z.enum(['cps3', 'cps4', 'vitale', 'unknown']);
export type CardKind = z.infer<typeof CardKindSchema>;

export const CardHolderSchema = z.object({
  /** `8` + RPPS, or `0` + ADELI. */
  nationalId: z.string(),
  lastName: z.string(),
  firstName: z.string(),
  profession: z.string(),
});
export type CardHolder = z.infer<typeof CardHolderSchema>;

export const ReaderStateSchema = z.object({
  name: z.string(),
  /** empty: no card; present: a card is in; busy: another application holds it; mute: it does not answer. */
  slot: z.enum(['empty', 'present', 'busy', 'mute', 'error']),
  card: z
    .object({
      kind: CardKindSchema,
      atr: z.string(),
      serial: z.string().optional(),
      holder: CardHolderSchema.optional(),
      /** End of validity of the authentication certificate (ISO date): a CPS lasts 3 years; the UI can warn. */
      certNotAfter: z.string().optional(),
    })
    .optional(),
  error: z.object({ code: ErrorCodeSchema, message: z.string() }).optional(),
});
export type ReaderState = z.infer<typeof ReaderStateSchema>;

/**
 * starting: the card process is (re)starting; no-service: PC/SC (pcscd, WinSCard) does not answer; no-reader;
 * empty: no CPS in any reader (a Vitale card alone counts as empty); present: a CPS (or an unknown card, see
 * `readers[].card.kind`); busy: another application holds the card exclusively; error: the card does not answer
 * or cannot be read (see `readers[].error`).
 */
export const CardStatusSchema = z.enum([
  'starting',
  'no-service',
  'no-reader',
  'empty',
  'present',
  'busy',
  'error',
]);
export type CardStatus = z.infer<typeof CardStatusSchema>;

export const CardStateSchema = z.object({
  /** The overall state, from the reader the app works with (the CPS slot of a two-slot reader). */
  status: CardStatusSchema,
  readers: z.array(ReaderStateSchema),
  /** The reader holding the CPS card the app works with, if any. */
  activeReader: z.string().nullable(),
  /** PIN tries left on the active card, read before anyone types (null until known). */
  pinTriesLeft: z.number().int().min(0).max(3).nullable(),
  updatedAt: z.string(),
});
export type CardState = z.infer<typeof CardStateSchema>;
