import { describe, expect, it } from 'vitest';
import type { Reminder } from '../../domain/api/groups/reminders';
import { planCardReminders, type KnownCard } from '../../domain/reminders/card-planner';
import { systemNotification, trayModel } from './tray-model';

/**
 * The tray with a CPS card nearing its end: the card's line on the dashboard's levels (domain/policy/card-expiry:
 * D-60 information, D-30, D-7, expired), the icon on UX.md's status scale, the card's end in the tooltip.
 */
const END = '2027-03-03T12:00:00.000Z';
const DAY = 86_400_000;
const card: KnownCard = {
  key: 'CPS-0001',
  nationalId: '810001234567',
  holderName: 'Claire MARTIN',
  notAfter: END,
  seenAt: '2026-12-01T09:00:00.000Z',
  shownStep: null,
  shownAt: null,
  snoozedUntil: null,
};
/** What the scheduler hands the tray `daysBefore` days before the card's end. */
const cardsAt = (daysBefore: number) =>
  planCardReminders([card], new Date(new Date(END).getTime() - daysBefore * DAY)).reminders;
const tray = (daysBefore: number, reminders: Reminder[] = []) =>
  trayModel(reminders, { language: 'fr', startAtLogin: true, cards: cardsAt(daysBefore) });
const cardItems = (m: ReturnType<typeof trayModel>) => m.items.filter((i) => i.kind === 'card');

describe('tray: the end of a CPS card', () => {
  it('shows nothing of a card ending in more than 60 days', () => {
    const m = tray(61);
    expect(cardItems(m)).toEqual([]);
    expect(m.icon).toBe('tray.png');
    expect(m.tooltip).toBe('Vigie : aucun compte suivi sur ce poste');
  });

  it('D-60 is information: the line shows, the icon stays plain (neutral)', () => {
    const m = tray(60);
    expect(cardItems(m)).toEqual([
      {
        kind: 'card',
        id: 'card:CPS-0001',
        level: 'info',
        label: 'Claire MARTIN — carte CPS jusqu’au 3 mars 2027 (dans 60 jours)',
      },
    ]);
    expect(m.icon).toBe('tray.png');
    expect(m.tooltip.split('\n')).toEqual([
      'Vigie : aucun compte suivi sur ce poste',
      'Carte CPS : fin le 3 mars 2027 (dans 60 jours)',
    ]);
  });

  it('D-30 amber, D-7 orange, past its end the blocked red, as on the dashboard', () => {
    const levels = [30, 20, 7, 2, -1].map((d) => {
      const m = tray(d);
      const item = cardItems(m)[0];
      return [item?.kind === 'card' ? item.level : null, m.icon];
    });
    expect(levels).toEqual([
      ['d30', 'tray-d30.png'],
      ['d30', 'tray-d30.png'],
      ['d7', 'tray-d7.png'],
      ['d7', 'tray-d7.png'],
      ['expired', 'tray-blocked.png'],
    ]);
    expect(cardItems(tray(-1))[0]).toMatchObject({
      label: 'Claire MARTIN — carte CPS expirée le 3 mars 2027',
    });
  });

  it('an account closer to its block keeps the icon; the card line sits under the accounts', () => {
    const account: Reminder = {
      accountId: 'a',
      displayName: 'Cabinet Lumière',
      urgency: 'd1',
      blockAt: '2027-01-03T09:00:00.000Z',
      daysLeft: 1,
      stale: false,
      checkedAt: '2027-01-02T09:00:00.000Z',
      snoozedUntil: null,
    };
    const m = trayModel([account], { language: 'en', startAtLogin: true, cards: cardsAt(30) });
    expect(m.icon).toBe('tray-d1.png');
    expect(m.items.slice(0, 2).map((i) => i.kind)).toEqual(['account', 'card']);
    expect(m.tooltip.split('\n')[1]).toBe('CPS card: ends on 3 March 2027 (in 30 days)');
  });

  it('the OS notification of an expired card stays on screen; the earlier steps are quiet', () => {
    const at = (d: number) =>
      planCardReminders([card], new Date(new Date(END).getTime() - d * DAY)).notify[0]!;
    expect(systemNotification(at(60), 'fr')).toMatchObject({ urgency: 'normal', silent: true });
    expect(systemNotification(at(7), 'fr')).toMatchObject({ urgency: 'normal', silent: true });
    expect(systemNotification(at(-1), 'fr')).toMatchObject({
      title: 'Carte CPS de Claire MARTIN : expirée le 3 mars 2027',
      urgency: 'critical',
      silent: false,
    });
  });
});
