import { describe, expect, it } from 'vitest';
import type { AccountStatus, VigieEvent } from '../../../domain/backend-api';
import { byUrgency, factorFromEvents, securityChecklist } from './accounts';

const base: AccountStatus = {
  accountId: '00000000-0000-4000-8000-000000000001',
  kind: 'password_delegate',
  displayName: 'A',
  state: 'active',
  reason: null,
  explanation: null,
  blockAt: '2027-01-01T00:00:00.000Z',
  daysLeft: 40,
  nextReminderAt: null,
  nextReminderDays: null,
  lastActivity: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  unblockPaths: [],
  passwordExpiresAt: '2027-03-01T00:00:00.000Z',
};

describe('pharmacy accounts, most urgent first', () => {
  it('puts blocked accounts first, then the fewest days left', () => {
    const list = [
      { ...base, displayName: 'Loin', daysLeft: 120 },
      { ...base, displayName: 'Bientôt', daysLeft: 5 },
      { ...base, displayName: 'Bloqué', state: 'blocked' as const, daysLeft: -3 },
    ].sort(byUrgency);
    expect(list.map((a) => a.displayName)).toEqual(['Bloqué', 'Bientôt', 'Loin']);
  });
});

describe('security checklist from the insurer’s advice', () => {
  const now = new Date('2026-11-22T10:00:00Z');
  it('asks to change a password that expires within two weeks, and to review events not read this month', () => {
    const checks = securityChecklist(
      { ...base, passwordExpiresAt: '2026-11-30T00:00:00.000Z' },
      { email: null, reviewedAt: '2026-09-01T00:00:00.000Z', concurrentSessions: 1, now },
    );
    expect(Object.fromEntries(checks.map((c) => [c.id, c.status]))).toEqual({
      'dedicated-mailbox': 'unknown',
      'password-fresh': 'todo',
      'credentials-not-shared': 'ok',
      'events-reviewed': 'todo',
    });
  });
  it('flags several open sessions as possibly shared credentials, and is happy with a recent review', () => {
    const checks = securityChecklist(base, {
      email: 'x@y.fr',
      reviewedAt: '2026-11-20T00:00:00.000Z',
      concurrentSessions: 2,
      now,
    });
    expect(checks.find((c) => c.id === 'credentials-not-shared')?.status).toBe('todo');
    expect(checks.find((c) => c.id === 'events-reviewed')?.status).toBe('ok');
    expect(checks.find((c) => c.id === 'password-fresh')?.status).toBe('ok');
  });
});

describe('a delegate’s second factor, from the newest of its « enrolled » and « reset » events', () => {
  const ev = (seq: number, type: VigieEvent['type'], details: VigieEvent['details'] = {}): VigieEvent => ({
    id: seq,
    accountId: base.accountId,
    seq,
    at: `2026-11-0${seq}T10:00:00.000Z`,
    type,
    method: 'password',
    outcome: 'info',
    workstationId: null,
    workstationLabel: null,
    ip: null,
    appVersion: null,
    cardSerial: null,
    details,
  });
  it('says which factor she enrolled; a later reset leaves none; enrolling again after a reset counts', () => {
    const enrolled = ev(2, 'second_factor_enrolled', { kind: 'email' });
    expect(factorFromEvents(base.accountId, enrolled, undefined)).toEqual({
      accountId: base.accountId,
      kind: 'email',
      enrolledAt: enrolled.at,
    });
    expect(factorFromEvents(base.accountId, enrolled, ev(3, 'second_factor_reset')).kind).toBeNull();
    expect(
      factorFromEvents(
        base.accountId,
        ev(4, 'second_factor_enrolled', { kind: 'totp' }),
        ev(3, 'second_factor_reset'),
      ).kind,
    ).toBe('totp');
    expect(factorFromEvents(base.accountId, undefined, undefined).kind).toBeNull();
  });
});
