import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** An opaque bearer token: 256 random bits. Only its SHA-256 is stored. */
export const newToken = (): string => randomBytes(32).toString('base64url');
export const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
export const newMessageId = (domain = 'vigie.invalid'): string => `<${randomUUID()}@${domain}>`;

type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue | undefined };

/**
 * Canonical JSON (RFC 8785 for the values we hash: strings, finite numbers, booleans, null, arrays and
 * objects): keys sorted by UTF-16 code units, no whitespace, `undefined` members dropped. JSON.stringify
 * already gives RFC 8785's number and string forms; only key order needed handling, hence no library.
 */
export function canonicalJson(v: JsonValue | undefined): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error('non-finite number in canonical JSON');
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x)).join(',')}]`;
  const keys = Object.keys(v)
    .filter((k) => v[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
}
