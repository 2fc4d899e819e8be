import { describe, expect, it } from 'vitest';
import { AuthMethodSchema, EVENT_TYPES } from '../../../domain/backend-api/schemas';
import { CardStatusSchema } from '../../../domain/card';
import { EXPLAINED_CODES } from '../lib/errors';
import en from './en';
import fr from './fr';

/** The renderer's own source text (Vite's glob import: no Node module in the renderer, not even in tests). */
const SOURCES = import.meta.glob<string>(['../**/*.{ts,tsx}', '!../**/*.test.{ts,tsx}', '!../i18n/**'], {
  query: '?raw',
  import: 'default',
  eager: true,
});
function has(dict: unknown, key: string): boolean {
  let node: unknown = dict;
  const parts = key.split('.');
  for (const [i, part] of parts.entries()) {
    if (typeof node !== 'object' || node === null) return false;
    const o = node as Record<string, unknown>;
    if (i === parts.length - 1) return part in o || `${part}_one` in o || `${part}_other` in o;
    node = o[part];
  }
  return false;
}

describe('every text the screens ask for exists in both languages', () => {
  it('static keys used in the source', () => {
    const keys = new Set<string>();
    expect(Object.keys(SOURCES).length).toBeGreaterThan(20);
    for (const text of Object.values(SOURCES)) {
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g)) keys.add(m[1]!);
    }
    expect(keys.size).toBeGreaterThan(150);
    const missing = [...keys].flatMap((k) => [
      ...(has(fr, k) ? [] : [`fr:${k}`]),
      ...(has(en, k) ? [] : [`en:${k}`]),
    ]);
    expect(missing).toEqual([]);
  });

  it('keys built from the schema’s values (event types, methods, card states, error codes)', () => {
    const dynamic = [
      ...EVENT_TYPES.map((t) => `eventType.${t}`),
      ...AuthMethodSchema.options.map((m) => `method.${m}`),
      ...CardStatusSchema.options.flatMap((s) => [`card.status.${s}`, `card.help.${s}`]),
      ...['generic', ...EXPLAINED_CODES].flatMap((c) => [`errors.${c}.what`, `errors.${c}.next`]),
      ...['active', 'd30', 'd7', 'd1', 'blocked'].map((u) => `status.${u}`),
      ...['holder', 'card_delegate', 'password_delegate'].map((k) => `kind.${k}`),
      ...['card-removed', 'idle', 'absolute', 'sign-out', 'revoked', 'backend'].flatMap((r) => [
        `lock.reason.${r}`,
        `lock.ended.${r}`,
      ]),
      ...['card', 'ecps', 'security_key', 'postal_code'].flatMap((p) =>
        ['title', 'needs', 'takes', 'go'].map((x) => `unblock.path.${p}.${x}`),
      ),
      ...['dedicated-mailbox', 'password-fresh', 'credentials-not-shared', 'events-reviewed'].flatMap((c) =>
        ['title', 'ok', 'todo', 'action'].map((x) => `dashboard.checklist.${c}.${x}`),
      ),
      ...['birth_date', 'practice_postal_code', 'iban_last4'].map((q) => `unblock.key.id.${q}`),
      ...['sessions-revoked', 'password-change-required', 'account-blocked'].map((a) => `report.action.${a}`),
    ];
    const missing = dynamic.filter((k) => !has(fr, k) || !has(en, k));
    expect(missing).toEqual([]);
  });
});
