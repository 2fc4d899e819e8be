import { CreditCard } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { cardExpiryNotice, type CardExpiryNotice } from '../../../domain/policy/card-expiry';
import { formatDate } from '../lib/format';
import { useCardState } from '../lib/hooks';

/** The status scale of UX.md for a card's end: D-60 neutral, D-30 amber, D-7 orange, past its end dark red. */
const BADGE: Record<CardExpiryNotice['level'], string> = {
  info: 'neutral',
  d30: 'd30',
  d7: 'd7',
  expired: 'blocked',
};

export function CardExpiryBadge({ notice }: { notice: CardExpiryNotice }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-${BADGE[notice.level]}`} data-testid="card-expiry-badge">
      {t(`cardExpiry.level.${notice.level}`)}
    </span>
  );
}

/**
 * The dashboard's reminder for the card in the reader: from 60 days before its certificate ends, with the date
 * and what to do (« Votre carte CPS expire le 3 mars 2027 : commandez la nouvelle dès maintenant »).
 */
export function CardExpiryPanel({ now = new Date() }: { now?: Date }) {
  const { t, i18n } = useTranslation();
  const card = useCardState();
  const reader = card?.readers.find((r) => r.name === card.activeReader);
  const notice = cardExpiryNotice(reader?.card?.certNotAfter, now);
  if (!notice) return null;
  const date = formatDate(notice.notAfter, i18n.language);
  return (
    <section
      className={`panel status-panel${notice.level === 'info' ? '' : ` u-border-${BADGE[notice.level]}`}`}
      aria-labelledby="card-expiry-title"
      data-testid="card-expiry"
      data-level={notice.level}
    >
      <div className="status-head">
        <h2 id="card-expiry-title" className="panel-title">
          <CreditCard aria-hidden="true" size={20} /> {t('cardExpiry.title')}
        </h2>
        <CardExpiryBadge notice={notice} />
      </div>
      <p className="status-sentence">
        {notice.level === 'expired'
          ? t('cardExpiry.expired', { date })
          : t('cardExpiry.expires', { date, count: notice.daysLeft })}
      </p>
      <p className="muted">{t('cardExpiry.how')}</p>
    </section>
  );
}
