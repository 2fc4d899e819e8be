import { CalendarClock } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { AccountStatus } from '../../../../domain/backend-api/schemas';
import { cardExpiryNotice, type CardExpiryNotice } from '../../../../domain/policy/card-expiry';
import { parisDate, parisDaysBetween } from '../../../../domain/policy/paris-time';
import { CardExpiryBadge } from '../../components/CardExpiry';
import { formatDate } from '../../lib/format';
import { dayInWords } from './EndDate';

/** Delegations ending within this many days are listed at the top of the pharmacy screen. */
const ENDS_WITHIN_DAYS = 30;

type Item =
  | { kind: 'end'; account: AccountStatus; day: string; daysLeft: number }
  | { kind: 'card'; account: AccountStatus; notice: CardExpiryNotice };

/** What comes next, soonest first: delegations reaching their last day, staff cards nearing their end. */
export function upcoming(accounts: readonly AccountStatus[], now: Date): Item[] {
  const items: Item[] = [];
  const today = parisDate(now);
  for (const a of accounts) {
    if (a.delegationEndsOn) {
      const daysLeft = parisDaysBetween(
        new Date(`${today}T12:00:00Z`),
        new Date(`${a.delegationEndsOn}T12:00:00Z`),
      );
      if (daysLeft <= ENDS_WITHIN_DAYS)
        items.push({ kind: 'end', account: a, day: a.delegationEndsOn, daysLeft });
    }
    const notice = cardExpiryNotice(a.cardNotAfter, now);
    if (notice) items.push({ kind: 'card', account: a, notice });
  }
  const daysOf = (i: Item) => (i.kind === 'end' ? i.daysLeft : i.notice.daysLeft);
  return items.sort((x, y) => daysOf(x) - daysOf(y));
}

export function Upcoming({ accounts, now = new Date() }: { accounts: AccountStatus[]; now?: Date }) {
  const { t, i18n } = useTranslation();
  const items = upcoming(accounts, now);
  if (items.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="upcoming-title" data-testid="upcoming-ends">
      <h2 id="upcoming-title" className="panel-title">
        <CalendarClock aria-hidden="true" size={20} /> {t('accounts.upcoming.title')}
      </h2>
      <ul className="upcoming-list">
        {items.map((i) =>
          i.kind === 'end' ? (
            <li
              key={`end-${i.account.accountId}`}
              data-testid="upcoming-end"
              data-account={i.account.displayName}
            >
              {t('accounts.upcoming.end', {
                name: i.account.displayName,
                date: dayInWords(i.day, i18n.language),
                count: i.daysLeft,
              })}
            </li>
          ) : (
            <li
              key={`card-${i.account.accountId}`}
              data-testid="upcoming-card"
              data-account={i.account.displayName}
              data-level={i.notice.level}
            >
              <CardExpiryBadge notice={i.notice} />{' '}
              {i.notice.level === 'expired'
                ? t('accounts.upcoming.cardExpired', {
                    name: i.account.displayName,
                    date: formatDate(i.notice.notAfter, i18n.language),
                  })
                : t('accounts.upcoming.card', {
                    name: i.account.displayName,
                    date: formatDate(i.notice.notAfter, i18n.language),
                    count: i.notice.daysLeft,
                  })}
            </li>
          ),
        )}
      </ul>
    </section>
  );
}
