/**
 * TOTP (RFC 6238, otpauth: SHA-1, 6 digits, 30 s, what every authenticator app reads from a QR code) and the sealing
 * of its secret at rest: AES-256-GCM under a key derived from the events key, which lives outside the database. A
 * copy of the database alone does not give the secrets.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { derivedKey } from '../../events/key';

export const TOTP_PERIOD_S = 30;
const ISSUER = 'Vigie amelipro';

export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

const totp = (secretBase32: string, label = '') =>
  new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD_S,
    secret: Secret.fromBase32(secretBase32),
  });

export const totpUri = (secretBase32: string, label: string): string => totp(secretBase32, label).toString();

/** The code of an app at `at` (the simulation and the tests play the app with the same library). */
export const totpCode = (secretBase32: string, at: Date): string =>
  totp(secretBase32).generate({ timestamp: at.getTime() });

/**
 * The time step the code belongs to (one step of drift either way), or null. The caller refuses a step not
 * after the last one accepted, so a code seen over a shoulder cannot be used again.
 */
export function totpStep(secretBase32: string, code: string, at: Date): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^[0-9]{6}$/.test(token)) return null;
  const delta = totp(secretBase32).validate({ token, timestamp: at.getTime(), window: 1 });
  if (delta === null) return null;
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_S) + delta;
}

const key = () => derivedKey('totp-secret');

export function sealSecret(secretBase32: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key(), iv);
  const body = Buffer.concat([c.update(secretBase32, 'utf8'), c.final()]);
  return `v1.${iv.toString('base64url')}.${body.toString('base64url')}.${c.getAuthTag().toString('base64url')}`;
}

export function openSecret(sealed: string): string {
  const [v, iv, body, tag] = sealed.split('.');
  if (v !== 'v1' || !iv || !body || !tag) throw new Error('unknown sealed secret format');
  const d = createDecipheriv('aes-256-gcm', key(), Buffer.from(iv, 'base64url'));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
}
