import { CheckCircle2, Circle, HelpCircle } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Link } from 'react-router';
import type { MyAccount, SecurityCheck } from '../../../domain/api/groups/accounts';
import type { AccountStatus } from '../../../domain/backend-api/schemas';
import { CardExpiryPanel } from '../components/CardExpiry';
import { Timeline } from '../components/Timeline';
import { ErrorState, Loading, StaleNote, StatusBadge } from '../components/ui';
import { useApi } from '../lib/api-context';
import { formatDate, formatLongDateTime, urgencyOf } from '../lib/format';
import { useCall } from '../lib/hooks';

/** « Votre compte sera bloqué le 14 mars 2027 (dans 23 jours). » — always the date, never only « bientôt ». */
export function StatusSentence({ status, self = true }: { status: AccountStatus; self?: boolean }) {
  const { t, i18n } = useTranslation();
  const date = formatDate(status.blockAt, i18n.language);
  const who = self ? 'self' : 'other';
  if (status.state === 'blocked')
    return (
      <p className="status-sentence" data-testid="status-sentence">
        {t(`dashboard.blocked.${status.reason ?? 'inactivity'}`, { date })}
      </p>
    );
  return (
    <p className="status-sentence" data-testid="status-sentence">
      {status.daysLeft === 0
        ? t(`dashboard.blockToday.${who}`, { date })
        : t(`dashboard.blockOn.${who}`, { date, count: status.daysLeft })}
    </p>
  );
}

const CHECK_ACTIONS: Record<SecurityCheck['id'], string | null> = {
  'dedicated-mailbox': null,
  'password-fresh': '/password',
  'credentials-not-shared': '/accounts',
  'events-reviewed': '/events',
};

function Checklist({
  checks,
  holder,
  email,
}: {
  checks: SecurityCheck[];
  holder: boolean;
  email: string | null;
}) {
  const { t, i18n } = useTranslation();
  return (
    <section className="panel" aria-labelledby="checklist-title" data-testid="checklist">
      <h2 id="checklist-title" className="panel-title">
        {t('dashboard.checklist.title')}
      </h2>
      <ul className="checklist">
        {checks.map((c) => {
          const to = c.id === 'credentials-not-shared' && !holder ? null : CHECK_ACTIONS[c.id];
          const Icon = c.status === 'ok' ? CheckCircle2 : c.status === 'todo' ? Circle : HelpCircle;
          return (
            <li key={c.id} className={`check check-${c.status}`} data-check={c.id} data-status={c.status}>
              <Icon aria-hidden="true" size={24} className="check-icon" />
              <div className="check-body">
                <p className="check-title">
                  {t(`dashboard.checklist.${c.id}.title`)}
                  <span className="visually-hidden"> — {t(`dashboard.checklist.status.${c.status}`)}</span>
                </p>
                <p className="muted small">
                  {c.status === 'ok'
                    ? t(`dashboard.checklist.${c.id}.ok`)
                    : t(`dashboard.checklist.${c.id}.todo`)}
                  {checkDetail(c, t, i18n.language)}
                </p>
                {c.id === 'dedicated-mailbox' && email && (
                  <p className="muted small">{t('dashboard.checklist.emailOnFile', { email })}</p>
                )}
              </div>
              {to && c.status !== 'ok' && (
                <Link to={to} className="button button-link">
                  {t(`dashboard.checklist.${c.id}.action`)}
                </Link>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The check's detail in words: a date for the password and the last review, a count of open sessions. */
function checkDetail(c: SecurityCheck, t: TFunction, lang: string): string {
  if (!c.detail) return '';
  if (c.id === 'credentials-not-shared') {
    const count = Number(c.detail);
    return Number.isFinite(count)
      ? ` ${t('dashboard.checklist.credentials-not-shared.detail', { count })}`
      : '';
  }
  if ((c.id === 'password-fresh' || c.id === 'events-reviewed') && !Number.isNaN(Date.parse(c.detail))) {
    return ` ${t(`dashboard.checklist.${c.id}.detail`, { date: formatDate(c.detail, lang) })}`;
  }
  return '';
}

export function DashboardView({ account, now = new Date() }: { account: MyAccount; now?: Date }) {
  const { t, i18n } = useTranslation();
  const s = account.status;
  const urgency = urgencyOf(s.state, s.daysLeft);
  const last = s.lastActivity;
  return (
    <>
      {account.stale && <StaleNote at={account.fetchedAt} />}
      <section
        className={`panel status-panel u-border-${urgency}`}
        aria-labelledby="status-title"
        data-testid="account-status"
      >
        <div className="status-head">
          <h2 id="status-title" className="panel-title">
            {t('dashboard.statusTitle')}
          </h2>
          <StatusBadge urgency={urgency} />
        </div>
        <StatusSentence status={s} />
        {s.state === 'blocked' ? (
          <>
            {s.explanation && <p className="muted">{s.explanation}</p>}
            <Link to="/unblock" className="button button-primary">
              {t('signIn.blocked.action')}
            </Link>
          </>
        ) : (
          <p className="muted">
            {t(s.kind === 'password_delegate' ? 'dashboard.keepActivePassword' : 'dashboard.keepActive')}
          </p>
        )}
        <Timeline status={s} now={now} />
      </section>
      <section className="panel" aria-labelledby="last-title" data-testid="last-activity">
        <h2 id="last-title" className="panel-title">
          {t('dashboard.lastTitle')}
        </h2>
        {last ? (
          <dl className="facts">
            <dt>{t('dashboard.when')}</dt>
            <dd>{formatLongDateTime(last.at, i18n.language)}</dd>
            <dt>{t('dashboard.how')}</dt>
            <dd>{t(`method.${last.method}`)}</dd>
            <dt>{t('dashboard.where')}</dt>
            <dd>{last.workstationLabel ?? t('common.unknownWorkstation')}</dd>
          </dl>
        ) : (
          <p>{t('dashboard.neverSignedIn', { date: formatDate(s.createdAt, i18n.language) })}</p>
        )}
        <p className="muted small">{t('dashboard.whatCounts')}</p>
      </section>
      <Checklist checks={account.security} holder={s.kind === 'holder'} email={account.email} />
    </>
  );
}

export default function Dashboard() {
  const { t } = useTranslation();
  const api = useApi();
  const mine = useCall(() => api.accounts.getMine(), [api]);
  return (
    <>
      <h1 className="page-title">{t('dashboard.title')}</h1>
      {mine.status === 'loading' && <Loading />}
      {mine.status === 'error' && !mine.value && <ErrorState code={mine.code} onRetry={mine.reload} />}
      <CardExpiryPanel />
      {mine.value && (
        <DashboardView account={mine.status === 'error' ? { ...mine.value, stale: true } : mine.value} />
      )}
    </>
  );
}
