import { z } from 'zod';
import { call, event } from '../define';

export const LanguageSchema = z.enum(['fr', 'en']);
export type Language = z.infer<typeof LanguageSchema>;

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  /** `electron` in the desktop shell, `browser` when served by the web host. */
  mode: z.enum(['electron', 'browser']),
  /** The demo pharmacy and the demo cards panel are available. */
  demo: z.boolean(),
  versions: z.object({ node: z.string(), electron: z.string().optional(), chrome: z.string().optional() }),
  language: LanguageSchema,
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const appGroup = {
  getInfo: call(z.void(), AppInfoSchema),
  setLanguage: call(z.object({ language: LanguageSchema }).strict(), z.object({ language: LanguageSchema })),
  language: event(LanguageSchema),
};
