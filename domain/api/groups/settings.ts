import { z } from 'zod';
import { LanguageSchema } from './app';
import { call } from '../define';
import { isAllowedBackendUrl } from '../../policy/backend-url';

export const WorkstationSettingsSchema = z.object({
  language: LanguageSchema,
  /** Empty: the backend embedded in this app. HTTPS, or plain HTTP to this machine only. */
  backendUrl: z.union([
    z.literal(''),
    z
      .url({ protocol: /^https?$/ })
      .max(200)
      .refine(isAllowedBackendUrl, { message: 'https required (plain http only to this machine)' }),
  ]),
  /** Empty: pick the CPS slot automatically. */
  readerName: z.string().max(200),
  reminderDays: z.array(z.number().int().min(1).max(90)).max(8),
  startAtLogin: z.boolean(),
  workstationLabel: z.string().trim().min(1).max(60),
});
export type WorkstationSettings = z.infer<typeof WorkstationSettingsSchema>;

/** This workstation as the settings screen shows it: its identity, its key and the keychain (never a secret). */
export const ThisWorkstationSchema = z.object({
  id: z.string().nullable(),
  label: z.string(),
  /** The OS keychain (Secret Service, Keychain, Credential Manager) answers. */
  keychain: z.object({ available: z.boolean(), reason: z.string().nullable() }),
  /** The private key is in the keychain: the workstation can prove who it is. */
  hasKey: z.boolean(),
  /** When the backend registered the key (null: not yet). */
  registeredAt: z.string().nullable(),
  /** The label the backend knows differs from this one: a registration is pending. */
  labelPending: z.boolean(),
  /** The pharmacy holder withdrew this workstation; a new identity is made at the next start. */
  revokedAt: z.string().nullable(),
});
export type ThisWorkstation = z.infer<typeof ThisWorkstationSchema>;

export const settingsGroup = {
  /** This workstation's identity and keychain; asks the backend to register it if that is still to do. */
  workstation: call(z.void(), ThisWorkstationSchema),
  get: call(z.void(), WorkstationSettingsSchema),
  update: call(WorkstationSettingsSchema.partial().strict(), WorkstationSettingsSchema),
  /** Versions, readers seen, card-process restarts, last errors: no PIN, token, password or personal data. */
  diagnostics: call(z.void(), z.object({ text: z.string() })),
};
