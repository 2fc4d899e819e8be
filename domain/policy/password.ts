/**
 * Password rules of the CNIL's 2022 recommendation (délibération n° 2022-100) for a password used alone:
 * enough entropy (≈ 80 bits). The CNIL gives accepted shapes: at least 12 characters mixing upper case, lower
 * case, digits and special characters; or at least 14 characters with upper case, lower case and digits; or a
 * long passphrase. A strength estimate (zxcvbn, in the backend) comes on top of these rules.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;
/** Passwords expire after 6 months (insurer's July 2022 measures). */
export const PASSWORD_MAX_AGE_MONTHS = 6;
/** No reuse of the last N passwords. */
export const PASSWORD_HISTORY = 12;

export type PasswordProblem =
  | 'too_short'
  | 'too_long'
  | 'missing_classes'
  | 'contains_identifier'
  | 'repeated_characters'
  | 'control_characters';

export interface CharClasses {
  lower: boolean;
  upper: boolean;
  digit: boolean;
  special: boolean;
}

export function charClasses(pw: string): CharClasses {
  return {
    lower: /\p{Ll}/u.test(pw),
    upper: /\p{Lu}/u.test(pw),
    digit: /\p{Nd}/u.test(pw),
    special: /[^\p{L}\p{Nd}]/u.test(pw),
  };
}

/** Rough entropy in bits from length and character classes (the CNIL's own way of counting). */
export function entropyBits(pw: string): number {
  const c = charClasses(pw);
  const size = (c.lower ? 26 : 0) + (c.upper ? 26 : 0) + (c.digit ? 10 : 0) + (c.special ? 33 : 0);
  return size === 0 ? 0 : [...pw].length * Math.log2(size);
}

/** The problems of `pw` under the CNIL rules; empty when acceptable. `forbidden` are identifier, names... */
export function passwordProblems(pw: string, forbidden: readonly string[] = []): PasswordProblem[] {
  const out: PasswordProblem[] = [];
  const len = [...pw].length;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(pw)) out.push('control_characters');
  if (len < PASSWORD_MIN_LENGTH) out.push('too_short');
  if (len > PASSWORD_MAX_LENGTH) out.push('too_long');
  const c = charClasses(pw);
  const n = [c.lower, c.upper, c.digit, c.special].filter(Boolean).length;
  const passphrase = len >= 20 && n >= 2;
  const shapeOk = (len >= 12 && n === 4) || (len >= 14 && c.lower && c.upper && c.digit) || passphrase;
  if (len >= PASSWORD_MIN_LENGTH && !shapeOk) out.push('missing_classes');
  const lower = pw.toLocaleLowerCase('fr');
  if (forbidden.some((f) => f.length >= 4 && lower.includes(f.toLocaleLowerCase('fr'))))
    out.push('contains_identifier');
  if (/(.)\1{3,}/u.test(pw)) out.push('repeated_characters');
  return out;
}
