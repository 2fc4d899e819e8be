import { z } from 'zod';
import { LanguageSchema } from './app';
import { call } from '../define';

export const WorkstationSettingsSchema = z.object({
  language: LanguageSchema,
  /** Empty: the backend embedded in this app. */
  backendUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/ }).max(200)]),
  /** Empty: pick the CPS slot automatically. */
  readerName: z.string().max(200),
  reminderDays: z.array(z.number().int().min(1).max(90)).max(8),
  startAtLogin: z.boolean(),
  workstationLabel: z.string().trim().min(1).max(60),
});
export type WorkstationSettings = z.infer<typeof WorkstationSettingsSchema>;

export const settingsGroup = {
  get: call(z.void(), WorkstationSettingsSchema),
  update: call(WorkstationSettingsSchema.partial().strict(), WorkstationSettingsSchema),
  /** Versions, readers seen, card-process restarts, last errors: no PIN, token, password or personal data. */
  diagnostics: call(z.void(), z.object({ text: z.string() })),
};
