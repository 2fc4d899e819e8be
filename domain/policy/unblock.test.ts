import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  securityKeyFormAnswer,
  normalizeSecurityKeyAnswer,
  postalState,
  unblockEligibility,
  type UnblockSituation,
} from './unblock';

const now = new Date('2026-11-22T10:00:00Z');
const H = 3600_000;
const base = (over: Partial<UnblockSituation> = {}): UnblockSituation => ({
  kind: 'holder',
  block: { reason: 'inactivity' },
  securityKey: { configured: true, failedTriesInWindow: 0 },
  postalCode: null,
  now,
  ...over,
});

describe('unblock eligibility', () => {
  it('offers a blocked holder every way out, in the insurer order', () => {
    expect(unblockEligibility(base()).paths).toEqual(['card', 'ecps', 'security_key', 'postal_code']);
  });
  it('offers nothing when the account is not blocked', () => {
    expect(unblockEligibility(base({ block: null })).paths).toEqual([]);
  });
  it('gives an accountant (password delegate) the security key then the letter, never a card', () => {
    const e = unblockEligibility(base({ kind: 'password_delegate' }));
    expect(e.paths).toEqual(['security_key', 'postal_code']);
    expect(e.unavailable).toContainEqual({ path: 'card', why: 'kind' });
  });
  it('gives a card delegate the card and e-CPS only', () => {
    expect(unblockEligibility(base({ kind: 'card_delegate' })).paths).toEqual(['card', 'ecps']);
  });
  it('refuses the security key (and e-CPS) after the user reported suspicious activity: card or letter only', () => {
    const e = unblockEligibility(base({ block: { reason: 'suspicious', cause: 'user_report' } }));
    expect(e.paths).toEqual(['card', 'postal_code']);
    expect(e.unavailable).toContainEqual({ path: 'security_key', why: 'weak_factor_after_report' });
    const acc = unblockEligibility(
      base({ kind: 'password_delegate', block: { reason: 'suspicious', cause: 'user_report' } }),
    );
    expect(acc.paths).toEqual(['postal_code']);
  });
  it('treats a suspicious block of unknown cause like a report (fail safe)', () => {
    expect(unblockEligibility(base({ block: { reason: 'suspicious' } })).paths).toEqual([
      'card',
      'postal_code',
    ]);
  });
  it('still offers the security key for other suspicious blocks (e.g. many failures)', () => {
    expect(unblockEligibility(base({ block: { reason: 'suspicious', cause: 'failures' } })).paths).toContain(
      'security_key',
    );
  });
  it('leaves only the letter once the 3 security-key tries of the last 24 h are used', () => {
    const e = unblockEligibility(
      base({ kind: 'password_delegate', securityKey: { configured: true, failedTriesInWindow: 3 } }),
    );
    expect(e.paths).toEqual(['postal_code']);
    expect(e.securityKeyTriesLeft).toBe(0);
    expect(e.unavailable).toContainEqual({ path: 'security_key', why: 'tries_exhausted' });
    expect(
      unblockEligibility(base({ securityKey: { configured: true, failedTriesInWindow: 2 } }))
        .securityKeyTriesLeft,
    ).toBe(1);
  });
  it('skips the security key when none is on file', () => {
    expect(
      unblockEligibility(base({ securityKey: { configured: false, failedTriesInWindow: 0 } })).paths,
    ).toEqual(['card', 'ecps', 'postal_code']);
  });
  it('drops what the user says they do not have, but keeps it in `allowed`', () => {
    const e = unblockEligibility(base({ atHand: { card: false, ecps: false } }));
    expect(e.paths).toEqual(['security_key', 'postal_code']);
    expect(e.allowed).toEqual(['card', 'ecps', 'security_key', 'postal_code']);
  });
  it('puts the letter before the security key when the user holds a letter with a pending code', () => {
    const e = unblockEligibility(
      base({
        atHand: { card: false, letter: true },
        postalCode: {
          requestedAt: new Date(now.getTime() - 72 * H),
          expiresAt: new Date(now.getTime() + 5 * 24 * H),
          used: false,
        },
      }),
    );
    expect(e.paths).toEqual(['ecps', 'postal_code', 'security_key']);
  });
  it('is a subset of the allowed paths and keeps their order, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('holder', 'card_delegate', 'password_delegate' as const),
        fc.constantFrom(null, 'failures', 'concurrent_sessions', 'user_report' as const),
        fc.integer({ min: 0, max: 5 }),
        fc.record({
          card: fc.option(fc.boolean(), { nil: undefined }),
          ecps: fc.option(fc.boolean(), { nil: undefined }),
        }),
        (kind, cause, tries, atHand) => {
          const e = unblockEligibility(
            base({
              kind,
              block: { reason: cause ? 'suspicious' : 'inactivity', cause },
              securityKey: { configured: true, failedTriesInWindow: tries },
              atHand,
            }),
          );
          for (const p of e.paths) expect(e.allowed).toContain(p);
          if (cause === 'user_report') expect(e.paths).not.toContain('security_key');
          if (tries >= 3) expect(e.paths).not.toContain('security_key');
        },
      ),
    );
  });
});

describe('postal code state', () => {
  const pending = (hoursAgo: number, daysValid = 10, used = false) => ({
    requestedAt: new Date(now.getTime() - hoursAgo * H),
    expiresAt: new Date(now.getTime() - hoursAgo * H + daysValid * 24 * H),
    used,
  });
  it('allows a first request', () => {
    expect(postalState({ postalCode: null, now })).toMatchObject({ canRequest: true, canEnterCode: false });
  });
  it('keeps one pending code: no new request before 48 h', () => {
    const s = postalState({ postalCode: pending(10), now });
    expect(s).toMatchObject({ canRequest: false, canEnterCode: true });
    expect(s.nextRequestAt?.toISOString()).toBe(new Date(now.getTime() + 38 * H).toISOString());
  });
  it('allows a new request after 48 h, or once the code expired or was used', () => {
    expect(postalState({ postalCode: pending(48), now }).canRequest).toBe(true);
    expect(postalState({ postalCode: pending(30, 1), now })).toMatchObject({
      canRequest: true,
      canEnterCode: false,
    });
    expect(postalState({ postalCode: pending(1, 10, true), now })).toMatchObject({
      canRequest: true,
      canEnterCode: false,
    });
  });
});

describe('security-key answers', () => {
  it('reads the usual ways of writing a birth date as one date', () => {
    for (const raw of [
      '03/07/1980',
      '3-7-1980',
      '1980-07-03',
      ' 03.07.1980 ',
      '3 7 1980',
      '03071980',
      '3 / 07 / 1980',
    ]) {
      expect(normalizeSecurityKeyAnswer('birth_date', raw), raw).toBe('1980-07-03');
    }
  });
  it('refuses dates that do not exist', () => {
    expect(normalizeSecurityKeyAnswer('birth_date', '31/02/1980')).toBeNull();
    expect(normalizeSecurityKeyAnswer('birth_date', '29/02/1981')).toBeNull();
    expect(normalizeSecurityKeyAnswer('birth_date', '29/02/1980')).toBe('1980-02-29');
    expect(normalizeSecurityKeyAnswer('birth_date', 'hier')).toBeNull();
  });
  it('ignores case, accents, spaces and punctuation in text', () => {
    expect(normalizeSecurityKeyAnswer('text', 'Saint-Étienne')).toBe(
      normalizeSecurityKeyAnswer('text', ' saint etienne '),
    );
    expect(normalizeSecurityKeyAnswer('text', "L'Haÿ-les-Roses")).toBe('LHAYLESROSES');
    expect(normalizeSecurityKeyAnswer('text', '   ')).toBeNull();
  });
  it('reads postal codes and the last four digits of the account with spaces', () => {
    expect(normalizeSecurityKeyAnswer('practice_postal_code', '75 011')).toBe('75011');
    expect(normalizeSecurityKeyAnswer('practice_postal_code', '7501')).toBeNull();
    expect(normalizeSecurityKeyAnswer('iban_last4', '12 34')).toBe('1234');
    expect(normalizeSecurityKeyAnswer('iban_last4', '12345')).toBeNull();
  });
});

describe('security-key answers as the form sends them', () => {
  it('a French date becomes an ISO day; a day that does not exist is refused', () => {
    expect(securityKeyFormAnswer('date', '14/07/1979')).toBe('1979-07-14');
    expect(securityKeyFormAnswer('date', ' 4.7.1979 ')).toBe('1979-07-04');
    expect(securityKeyFormAnswer('date', '14071979')).toBe('1979-07-14');
    expect(securityKeyFormAnswer('date', '1979-07-14')).toBe('1979-07-14');
    expect(securityKeyFormAnswer('date', '30/02/1979')).toBeNull();
    expect(securityKeyFormAnswer('date', '07/14/1979')).toBeNull();
    expect(securityKeyFormAnswer('date', 'hier')).toBeNull();
  });

  it('a postal code has 5 digits, the bank digits as many as asked; spaces are forgiven', () => {
    expect(securityKeyFormAnswer('postal-code', '75 011')).toBe('75011');
    expect(securityKeyFormAnswer('postal-code', '7501')).toBeNull();
    expect(securityKeyFormAnswer('postal-code', '75O11')).toBeNull();
    expect(securityKeyFormAnswer('digits', '48 21', 4)).toBe('4821');
    expect(securityKeyFormAnswer('digits', '482', 4)).toBeNull();
  });
});
