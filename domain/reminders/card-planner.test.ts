import { describe, expect, it } from 'vitest';
import type { CardState } from '../card';
import {
  MAX_KNOWN_CARDS,
  cardSeen,
  planCardReminders,
  rememberCard,
  snoozeCard,
  type KnownCard,
} from './card-planner';

/** Which cards a workstation keeps reminding, and when it forgets them. Time is an input. */
const DAY = 86_400_000;
const END = '2027-03-03T12:00:00.000Z';
const before = (days: number) => new Date(new Date(END).getTime() - days * DAY);
const known = (over: Partial<KnownCard> = {}): KnownCard => ({
  key: 'CPS-0001',
  nationalId: '810001234567',
  holderName: 'Claire MARTIN',
  notAfter: END,
  seenAt: '2027-01-01T09:00:00.000Z',
  shownStep: null,
  shownAt: null,
  snoozedUntil: null,
  ...over,
});
const state = (card: NonNullable<CardState['readers'][number]['card']>): CardState => ({
  status: 'present',
  readers: [{ name: 'L', slot: 'present', card }],
  activeReader: 'L',
  pinTriesLeft: 3,
  updatedAt: '',
});

describe('card reminders: which card', () => {
  it('keys a card by its serial, or by its holder when the card gives no serial; a card without an end is not reminded', () => {
    const holder = { nationalId: '810001234567', lastName: 'MARTIN', firstName: 'Claire', profession: '21' };
    const now = before(20);
    expect(
      cardSeen(state({ kind: 'cps3', atr: '3B', serial: 'S1', holder, certNotAfter: END }), now),
    ).toMatchObject({ key: 'S1', holderName: 'Claire MARTIN', notAfter: END });
    expect(cardSeen(state({ kind: 'cps4', atr: '3B', holder, certNotAfter: END }), now)?.key).toBe(
      '810001234567',
    );
    expect(cardSeen(state({ kind: 'cps3', atr: '3B', serial: 'S1', holder }), now)).toBeNull();
    expect(cardSeen(state({ kind: 'vitale', atr: '3B', certNotAfter: END }), now)).toBeNull();
  });

  it('the same card seen again keeps what was shown; a renewed certificate starts afresh', () => {
    const shown = [known({ shownStep: 30, shownAt: before(30).toISOString() })];
    expect(rememberCard(shown, known({ seenAt: '2027-02-10T09:00:00.000Z' }))).toEqual(shown);
    const renewed = rememberCard(
      shown,
      known({ notAfter: '2030-03-03T12:00:00.000Z', seenAt: '2027-02-10T09:00:00.000Z' }),
    );
    expect(renewed).toMatchObject([{ notAfter: '2030-03-03T12:00:00.000Z', shownStep: null }]);
  });

  it('the old card put back after the new one was seen is not reminded again', () => {
    const fresh = known({ key: 'CPS-0002', notAfter: '2030-03-03T12:00:00.000Z' });
    const cards = rememberCard(rememberCard([], known()), fresh);
    expect(cards.map((c) => c.key)).toEqual(['CPS-0002']);
    expect(rememberCard(cards, known({ seenAt: '2027-02-11T09:00:00.000Z' })).map((c) => c.key)).toEqual([
      'CPS-0002',
    ]);
  });

  it('keeps a few cards (a shared counter), the most recently seen', () => {
    let cards: KnownCard[] = [];
    for (let i = 0; i < MAX_KNOWN_CARDS + 3; i++)
      cards = rememberCard(
        cards,
        known({
          key: `S${i}`,
          nationalId: `8${i}`,
          seenAt: new Date(Date.UTC(2027, 0, 1 + i)).toISOString(),
        }),
      );
    expect(cards).toHaveLength(MAX_KNOWN_CARDS);
    expect(cards[0]!.key).toBe(`S${MAX_KNOWN_CARDS + 2}`);
  });
});

describe('card reminders: when', () => {
  it('forgets a card a month after its end', () => {
    expect(planCardReminders([known({ shownStep: 0 })], before(-29)).cards).toHaveLength(1);
    expect(planCardReminders([known({ shownStep: 0 })], before(-31)).cards).toEqual([]);
  });

  it('a snooze of an unknown card, or of an account id, is not a card snooze', () => {
    expect(snoozeCard([known()], 'card:CPS-9999', before(20), 4)).toBeNull();
    expect(snoozeCard([known()], 'CPS-0001', before(20), 4)).toBeNull();
    expect(snoozeCard([known()], 'card:CPS-0001', before(20), 500)?.snoozedUntil).toBe(
      new Date(before(20).getTime() + 72 * 3600_000).toISOString(),
    );
  });
});
