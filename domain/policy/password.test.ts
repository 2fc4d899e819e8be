import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { entropyBits, passwordProblems } from './password';
import {
  DEFAULT_ACCOUNT_THROTTLE as P,
  effectiveFailures,
  isThrottled,
  nextAttemptAt,
  throttleDelayMs,
} from './throttle';
import { sessionEnd } from './session';

describe('password rules (CNIL 2022)', () => {
  it('accepts 12 characters with the four classes, 14 with three, and long passphrases', () => {
    expect(passwordProblems('Pharma-2027!x')).toEqual([]);
    expect(passwordProblems('PharmaCie2027ab')).toEqual([]);
    expect(passwordProblems('le chat boit du lait tiede')).toEqual([]);
  });
  it('refuses short or single-class passwords and the identifier inside', () => {
    expect(passwordProblems('Ab1!')).toContain('too_short');
    expect(passwordProblems('abcdefghijklmn')).toContain('missing_classes');
    expect(passwordProblems('X-751234567-Pharma', ['751234567'])).toContain('contains_identifier');
    expect(passwordProblems('Aaaaa1!bcdefgh')).toContain('repeated_characters');
  });
  it('property: anything under 12 characters is refused; accepted ones carry ≥ 70 bits by the CNIL count', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40, unit: 'grapheme' }), (pw) => {
        const problems = passwordProblems(pw);
        if ([...pw].length < 12) expect(problems).toContain('too_short');
        if (problems.length === 0) expect(entropyBits(pw)).toBeGreaterThanOrEqual(70);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('throttling', () => {
  it('free attempts, then doubling delays, then a lock', () => {
    expect([0, 1, 2].map((f) => throttleDelayMs(f, P))).toEqual([0, 0, 0]);
    expect([3, 4, 5].map((f) => throttleDelayMs(f, P))).toEqual([1000, 2000, 4000]);
    expect(throttleDelayMs(10, P)).toBe(P.lockMs);
  });
  it('property: the delay never decreases with more failures and never exceeds the lock', () => {
    fc.assert(
      fc.property(fc.nat(50), fc.nat(50), (a, b) => {
        const [x, y] = a <= b ? [a, b] : [b, a];
        expect(throttleDelayMs(x, P)).toBeLessThanOrEqual(throttleDelayMs(y, P));
        expect(throttleDelayMs(y, P)).toBeLessThanOrEqual(P.lockMs);
      }),
    );
  });
  it('forgets failures after a quiet period', () => {
    const last = new Date('2025-01-01T10:00:00Z');
    const s = { failures: 12, lastFailureAt: last };
    expect(isThrottled(s, new Date(last.getTime() + 60_000), P)).toBe(true);
    expect(nextAttemptAt(s, last, P).getTime()).toBe(last.getTime() + P.lockMs);
    expect(effectiveFailures(s, new Date(last.getTime() + P.resetAfterMs), P)).toBe(0);
  });
});

describe('sessions', () => {
  it('end after 1 h idle or 4 h in all', () => {
    const t0 = new Date('2025-01-01T08:00:00Z');
    const at = (min: number) => new Date(t0.getTime() + min * 60_000);
    expect(sessionEnd(t0, at(30), at(89))).toBeNull();
    expect(sessionEnd(t0, at(30), at(90))).toBe('idle');
    expect(sessionEnd(t0, at(239), at(240))).toBe('expired');
  });
});
