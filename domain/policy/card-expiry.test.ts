import { describe, expect, it } from 'vitest';
import { cardExpiryNotice } from './card-expiry';

const now = new Date('2027-01-03T09:00:00Z');
const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000);

describe('card expiry reminder', () => {
  it('says nothing while the end is more than 60 days away, or unknown', () => {
    expect(cardExpiryNotice(inDays(61), now)).toBeNull();
    expect(cardExpiryNotice(undefined, now)).toBeNull();
    expect(cardExpiryNotice('not a date', now)).toBeNull();
  });

  it('informs at D-60, then warns at D-30 and D-7', () => {
    expect(cardExpiryNotice(inDays(60), now)).toMatchObject({ level: 'info', step: 60, daysLeft: 60 });
    expect(cardExpiryNotice(inDays(31), now)).toMatchObject({ level: 'info', step: 60 });
    expect(cardExpiryNotice(inDays(30), now)).toMatchObject({ level: 'd30', step: 30 });
    expect(cardExpiryNotice(inDays(20), now)).toMatchObject({ level: 'd30', step: 30, daysLeft: 20 });
    expect(cardExpiryNotice(inDays(7), now)).toMatchObject({ level: 'd7', step: 7 });
    expect(cardExpiryNotice(inDays(0.5), now)).toMatchObject({ level: 'd7', daysLeft: 0 });
  });

  it('says so once the certificate has ended', () => {
    expect(cardExpiryNotice(inDays(-2), now)).toMatchObject({ level: 'expired', step: 0, daysLeft: -2 });
  });
});
