import { describe, expect, it } from 'vitest';
import type { AccountStatus } from '../../../domain/backend-api';
import { byUrgency, securityChecklist } from './accounts';

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
