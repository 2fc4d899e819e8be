import { BellRing } from 'lucide-react';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Reminder } from '../../../domain/api/groups/reminders';
import { formatDate } from '../lib/format';
import { CardExpiryBadge } from './CardExpiry';
import { AppDialog, StatusBadge } from './ui';

const shown = (r: Reminder, now: Date) =>
  r.urgency !== 'active' && !(r.snoozedUntil && new Date(r.snoozedUntil) > now);

/**
 * In-app reminders for every account known on this workstation: a banner from D-30, stronger at D-7, a dialog
 * at D-1 (UX.md status scale). Always the date and the days left, and what to do. A CPS card seen here whose end
 * is 30 days away or less shows here too, in the dashboard's words and levels.
 */
export function ReminderBanner({ reminders, now = new Date() }: { reminders: Reminder[]; now?: Date }) {
  const { t, i18n } = useTranslation();
  const list = reminders.filter((r) => shown(r, now) && r.urgency !== 'd1');
  if (list.length === 0) return null;
  return (
    <div className="reminders" data-testid="reminder-banner">
      {list.map((r) => (
        <div
          key={r.accountId}
          className={`reminder reminder-${r.urgency}`}
          role={r.urgency === 'd30' ? 'status' : 'alert'}
          data-urgency={r.urgency}
          {...(r.card ? { 'data-card-level': r.card.level } : {})}
        >
          <BellRing aria-hidden="true" size={20} />
          {r.card ? (
            <CardExpiryBadge
              notice={{ level: r.card.level, step: 0, daysLeft: r.daysLeft, notAfter: r.blockAt }}
            />
          ) : (
            <StatusBadge urgency={r.urgency} />
          )}
          <span>
            {r.card
              ? r.card.level === 'expired'
                ? t('cardExpiry.expired', { date: formatDate(r.blockAt, i18n.language) })
                : t('cardExpiry.expires', { date: formatDate(r.blockAt, i18n.language), count: r.daysLeft })
              : r.urgency === 'blocked'
                ? r.daysLeft > 0
                  ? t('reminders.blockedNow', { name: r.displayName })
                  : t('reminders.blocked', {
                      name: r.displayName,
                      date: formatDate(r.blockAt, i18n.language),
                    })
                : t('reminders.banner', {
                    name: r.displayName,
                    date: formatDate(r.blockAt, i18n.language),
                    count: r.daysLeft,
                  })}
          </span>
        </div>
      ))}
    </div>
  );
}

export function ReminderDialog({
  reminders,
  onSnooze,
  now = new Date(),
}: {
  reminders: Reminder[];
  onSnooze: (accountId: string) => void;
  now?: Date;
}) {
  const { t, i18n } = useTranslation();
  const [closed, setClosed] = useState<string[]>([]);
  const r = reminders.find((x) => x.urgency === 'd1' && shown(x, now) && !closed.includes(x.accountId));
  const close = () => r && setClosed((c) => [...c, r.accountId]);
  return (
    <AppDialog
      isOpen={!!r}
      onOpenChange={(o) => !o && close()}
      title={t('reminders.dialogTitle')}
      role="alertdialog"
    >
      {r && (
        <div data-testid="reminder-dialog">
          <p>
            {t('reminders.dialog', {
              name: r.displayName,
              date: formatDate(r.blockAt, i18n.language),
              count: r.daysLeft,
            })}
          </p>
          <p className="muted">{t('reminders.dialogHelp')}</p>
          <div className="actions">
            <Button className="button button-primary" onPress={close} autoFocus>
              {t('reminders.ok')}
            </Button>
            <Button
              className="button"
              onPress={() => {
                onSnooze(r.accountId);
                close();
              }}
            >
              {t('reminders.later')}
            </Button>
          </div>
        </div>
      )}
    </AppDialog>
  );
}
