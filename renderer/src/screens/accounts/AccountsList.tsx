import type { ReactNode } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { AccountStatus } from '../../../../domain/backend-api/schemas';
import { blockedAsSuspicious, Timeline } from '../../components/Timeline';
import { StatusBadge } from '../../components/ui';
import { formatDate, URGENCY_ORDER, urgencyOf } from '../../lib/format';
import { StatusSentence } from '../Dashboard';
import { EndDate } from './EndDate';
import { FreshStart } from './FreshStart';

/** Most urgent first: blocked, then by days left. */
export function byUrgency(a: AccountStatus, b: AccountStatus): number {
  const ua = URGENCY_ORDER[urgencyOf(a.state, a.daysLeft)];
  const ub = URGENCY_ORDER[urgencyOf(b.state, b.daysLeft)];
  return ua - ub || a.daysLeft - b.daysLeft || a.displayName.localeCompare(b.displayName);
}

/** One account: its state in words, its way out when blocked, its timeline. */
export function AccountRow({
  account,
  onRevoke,
  onChanged,
  extra,
}: {
  account: AccountStatus;
  onRevoke?: (a: AccountStatus) => void;
  /** The holder changed something of this account (its end date): the list reloads. */
  onChanged?: () => void;
  /** More of this account under its state (the holder's view of a delegate's second factor). */
  extra?: (a: AccountStatus) => ReactNode;
}) {
  const { t, i18n } = useTranslation();
  const urgency = urgencyOf(account.state, account.daysLeft);
  return (
    <li
      className={`account-row u-border-${urgency}`}
      data-testid="account-row"
      data-account={account.displayName}
      data-urgency={urgency}
    >
      <div className="account-head">
        <div>
          <h3 className="account-name">{account.displayName}</h3>
          <p className="muted small">{t(`kind.${account.kind}`)}</p>
        </div>
        <StatusBadge urgency={urgency} />
        <p className="account-days">
          {blockedAsSuspicious(account)
            ? t('accounts.blockedSuspicious')
            : account.state === 'blocked'
              ? t('accounts.blockedSince', { date: formatDate(account.blockAt, i18n.language) })
              : t('accounts.daysLeft', { count: account.daysLeft })}
        </p>
        {onRevoke && account.kind !== 'holder' && (
          <Button className="button button-quiet" onPress={() => onRevoke(account)}>
            {t('accounts.revoke')}
          </Button>
        )}
      </div>
      <StatusSentence status={account} self={false} />
      {account.state === 'blocked' && (
        <p className="way-out small" data-testid="way-out">
          {t(account.kind === 'password_delegate' ? 'accounts.wayOut.password' : 'accounts.wayOut.card')}
        </p>
      )}
      {onRevoke && <FreshStart account={account} />}
      {onRevoke && onChanged && account.kind !== 'holder' && (
        <EndDate account={account} onChanged={onChanged} />
      )}
      {extra?.(account)}
      <Timeline status={account} compact />
    </li>
  );
}

/** The pharmacy's accounts, the most urgent first. */
export function AccountsList({
  accounts,
  onRevoke,
  onChanged,
  extra,
}: {
  accounts: AccountStatus[];
  onRevoke?: (a: AccountStatus) => void;
  onChanged?: () => void;
  extra?: (a: AccountStatus) => ReactNode;
}) {
  const sorted = [...accounts].sort(byUrgency);
  return (
    <ul className="account-list" data-testid="account-list">
      {sorted.map((a) => (
        <AccountRow key={a.accountId} account={a} onRevoke={onRevoke} onChanged={onChanged} extra={extra} />
      ))}
    </ul>
  );
}
