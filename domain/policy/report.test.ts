import { describe, expect, it } from 'vitest';
import { REPORT_CONTACTS, advanceReportCase, openReportCase } from './report';

const t = (m: number) => new Date(Date.UTC(2026, 10, 22, 10, m));

describe('report case', () => {
  it('goes received → secured → closed, telling the user what was done', () => {
    let c = openReportCase({
      eventId: 'ev-1',
      at: t(0),
      blockAccount: true,
      kind: 'password_delegate',
      hasPassword: true,
    });
    expect(c.actions).toEqual(['revoke_sessions', 'require_password_change', 'block_account']);
    c = advanceReportCase(c, 'secured', t(0));
    expect(c.steps.at(-1)!.text).toContain('sessions ouvertes ont été fermées');
    expect(c.steps.at(-1)!.text).toContain('bloqué à votre demande');
    c = advanceReportCase(c, 'closed', t(30), 'aucune autre activité inconnue');
    expect(c.steps.map((s) => s.status)).toEqual(['received', 'secured', 'closed']);
    expect(REPORT_CONTACTS.text).toContain('36 08');
  });
  it('does not ask a card-only account for a new password, nor block when not asked', () => {
    const c = openReportCase({
      eventId: null,
      at: t(0),
      blockAccount: false,
      kind: 'card_delegate',
      hasPassword: false,
    });
    expect(c.actions).toEqual(['revoke_sessions']);
    expect(advanceReportCase(c, 'secured', t(1)).steps[1]!.text).not.toContain('mot de passe');
  });
  it('refuses to skip or go back', () => {
    const c = openReportCase({
      eventId: null,
      at: t(0),
      blockAccount: false,
      kind: 'holder',
      hasPassword: false,
    });
    expect(() => advanceReportCase(c, 'closed', t(1))).toThrow();
    const closed = advanceReportCase(advanceReportCase(c, 'secured', t(1)), 'closed', t(2));
    expect(() => advanceReportCase(closed, 'secured', t(3))).toThrow();
  });
});
