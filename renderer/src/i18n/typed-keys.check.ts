/**
 * Compiled by `npm run typecheck`, never run: it proves that the keys are typed. If the catalogue stopped typing
 * `t`, the `@ts-expect-error` lines below would have no error to expect, and the type check would fail.
 */
import i18next from 'i18next';
import type { z } from 'zod';
import type { AuthMethodSchema } from '../../../domain/backend-api/schemas';

type AuthMethod = z.infer<typeof AuthMethodSchema>;

export function typedKeysCheck(method: AuthMethod, anything: string): string[] {
  return [
    i18next.t('app.name'),
    i18next.t('workstations.revokeHelp', { count: 2 }),
    i18next.t(`method.${method}`),
    // @ts-expect-error a key missing from fr.ts
    i18next.t('app.noSuchKey'),
    // @ts-expect-error a key built from any string
    i18next.t(`method.${anything}`),
  ];
}
