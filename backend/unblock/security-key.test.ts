import { describe, expect, it } from 'vitest';
import { unblockEligibility } from '../../domain/policy/unblock';
import { MemorySecurityKeyStore, setSecurityKey, verifySecurityKey } from './security-key';

const ACC = 'acc-comptable';
const T0 = new Date('2026-11-22T09:00:00Z');
const H = 3600_000;
const at = (h: number) => new Date(T0.getTime() + h * H);
const SET = { birth_date: '03/07/1980', practice_postal_code: '69003', iban_last4: '4821' };

async function store() {
  const s = new MemorySecurityKeyStore();
  expect(await setSecurityKey(s, ACC, SET, T0)).toEqual({ ok: true });
  return s;
}

describe('security key', () => {
  it('keeps only a slow hash (argon2id) of the answers', async () => {
    const s = await store();
    const rec = s.keys.get(ACC)!;
    expect(rec.hash).toMatch(/^\$argon2id\$/);
    expect(rec.hash).not.toContain('1980');
    expect(rec.hash).not.toContain('4821');
  });
  it('accepts the answers written differently: date formats, spaces', async () => {
    const s = await store();
    expect(
      await verifySecurityKey(
        s,
        ACC,
        { birth_date: '1980-07-03', practice_postal_code: '69 003', iban_last4: ' 48 21' },
        at(1),
      ),
    ).toEqual({ ok: true });
    expect(
      await verifySecurityKey(
        s,
        ACC,
        { birth_date: '3-7-1980', practice_postal_code: '69003', iban_last4: '4821' },
        at(2),
      ),
    ).toEqual({ ok: true });
  });
  it('refuses wrong answers, counting down the tries, and locks the fourth try in 24 h', async () => {
    const s = await store();
    const wrong = { ...SET, iban_last4: '0000' };
    expect(await verifySecurityKey(s, ACC, wrong, at(0))).toMatchObject({
      code: 'SECURITY_KEY_WRONG',
      triesLeft: 2,
    });
    expect(await verifySecurityKey(s, ACC, wrong, at(1))).toMatchObject({
      code: 'SECURITY_KEY_WRONG',
      triesLeft: 1,
    });
    const third = await verifySecurityKey(s, ACC, wrong, at(2));
    expect(third).toMatchObject({ code: 'SECURITY_KEY_WRONG', triesLeft: 0 });
    if (!third.ok) expect(third.message).toContain('courrier');
    // The fourth try, even with the right answers, is refused, and the wizard now offers the letter only.
    const fourth = await verifySecurityKey(s, ACC, SET, at(3));
    expect(fourth).toMatchObject({ code: 'SECURITY_KEY_LOCKED', retryAt: at(24) });
    const failed = await s.failuresSince(ACC, new Date(at(3).getTime() - 24 * H));
    expect(
      unblockEligibility({
        kind: 'password_delegate',
        block: { reason: 'inactivity' },
        securityKey: { configured: true, failedTriesInWindow: failed },
        postalCode: null,
        now: at(3),
      }).paths,
    ).toEqual(['postal_code']);
    // 24 h after the first wrong try, one try is back.
    expect(await verifySecurityKey(s, ACC, SET, at(24.01))).toEqual({ ok: true });
  });
  it('never gives more than 3 tries to parallel requests', async () => {
    const s = await store();
    const wrong = { ...SET, birth_date: '04/07/1980' };
    const res = await Promise.all(Array.from({ length: 6 }, () => verifySecurityKey(s, ACC, wrong, at(0))));
    expect(res.filter((r) => !r.ok && r.code === 'SECURITY_KEY_WRONG')).toHaveLength(3);
    expect(res.filter((r) => !r.ok && r.code === 'SECURITY_KEY_LOCKED')).toHaveLength(3);
  });
  it('does not spend a try on unreadable input, and says which field', async () => {
    const s = await store();
    expect(await verifySecurityKey(s, ACC, { ...SET, birth_date: '31/02/1980' }, at(0))).toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'birth_date',
    });
    expect(await s.failuresSince(ACC, T0)).toBe(0);
  });
  it('is refused after the user reported suspicious activity, and when no key is on file', async () => {
    const s = await store();
    expect(
      await verifySecurityKey(s, ACC, SET, at(0), { block: { reason: 'suspicious', cause: 'user_report' } }),
    ).toMatchObject({ code: 'SECURITY_KEY_NOT_ALLOWED' });
    expect(await verifySecurityKey(s, 'other', SET, at(0))).toMatchObject({
      code: 'SECURITY_KEY_NOT_ALLOWED',
    });
    expect(
      await verifySecurityKey(s, ACC, SET, at(0), { block: { reason: 'suspicious', cause: 'failures' } }),
    ).toEqual({ ok: true });
  });
});
