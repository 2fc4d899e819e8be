import { UserPlus } from 'lucide-react';
import { useId, useState, type FormEvent } from 'react';
import { Button, Radio, RadioGroup, Label } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { AccountStatus } from '../../../domain/backend-api/schemas';
import type { ErrorCode } from '../../../domain/errors';
import { blockedAsSuspicious, Timeline } from '../components/Timeline';
import { PharmacyWorkstations } from '../components/Workstations';
import { AppDialog, ConfirmDialog, Empty, ErrorState, Loading, StatusBadge, Success } from '../components/ui';
import { useApi } from '../lib/api-context';
import { formatDate, URGENCY_ORDER, urgencyOf } from '../lib/format';
import { useCall } from '../lib/hooks';
import { StatusSentence } from './Dashboard';
import { FreshStart } from './accounts/FreshStart';

/** Most urgent first: blocked, then by days left. */
export function byUrgency(a: AccountStatus, b: AccountStatus): number {
  const ua = URGENCY_ORDER[urgencyOf(a.state, a.daysLeft)];
  const ub = URGENCY_ORDER[urgencyOf(b.state, b.daysLeft)];
  return ua - ub || a.daysLeft - b.daysLeft || a.displayName.localeCompare(b.displayName);
}

export function AccountRow({
  account,
  onRevoke,
}: {
  account: AccountStatus;
  onRevoke?: (a: AccountStatus) => void;
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
      <Timeline status={account} compact />
    </li>
  );
}

export function AccountsList({
  accounts,
  onRevoke,
}: {
  accounts: AccountStatus[];
  onRevoke?: (a: AccountStatus) => void;
}) {
  const sorted = [...accounts].sort(byUrgency);
  return (
    <ul className="account-list" data-testid="account-list">
      {sorted.map((a) => (
        <AccountRow key={a.accountId} account={a} onRevoke={onRevoke} />
      ))}
    </ul>
  );
}

type Kind = 'card_delegate' | 'password_delegate';

function GrantForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [kind, setKind] = useState<Kind>('card_delegate');
  const [displayName, setName] = useState('');
  const [nationalId, setNationalId] = useState('');
  const [identifier, setIdentifier] = useState('');
  const [email, setEmail] = useState('');
  const [initialPassword, setPassword] = useState('');
  const [error, setError] = useState<ErrorCode | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const r = await api.accounts.grantDelegation(
      kind === 'card_delegate'
        ? { kind, displayName, nationalId, email }
        : { kind, displayName, identifier, email, initialPassword },
    );
    setBusy(false);
    if (r.ok) onDone();
    else setError(r.code);
  };
  return (
    <form className="form" onSubmit={(e) => void submit(e)}>
      <RadioGroup value={kind} onChange={(v) => setKind(v as Kind)} className="radio-group">
        <Label>{t('accounts.grant.kind')}</Label>
        <Radio value="card_delegate" className="radio">
          {t('accounts.grant.card')}
        </Radio>
        <Radio value="password_delegate" className="radio">
          {t('accounts.grant.password')}
        </Radio>
      </RadioGroup>
      <div className="field">
        <label htmlFor={`${id}-n`}>{t('accounts.grant.name')}</label>
        <input id={`${id}-n`} value={displayName} onChange={(e) => setName(e.target.value)} required />
      </div>
      {kind === 'card_delegate' ? (
        <div className="field">
          <label htmlFor={`${id}-r`}>{t('accounts.grant.nationalId')}</label>
          <input
            id={`${id}-r`}
            inputMode="numeric"
            value={nationalId}
            onChange={(e) => setNationalId(e.target.value.trim())}
            required
            pattern="[08][0-9]{8,11}"
          />
          <p className="muted small">{t('ecps.nationalIdHelp')}</p>
        </div>
      ) : (
        <>
          <div className="field">
            <label htmlFor={`${id}-i`}>{t('accounts.grant.identifier')}</label>
            <input
              id={`${id}-i`}
              value={identifier}
              onChange={(e) => setIdentifier(e.target.value.trim())}
              required
              pattern="[A-Za-z0-9._\-]{6,64}"
            />
            <p className="muted small">{t('accounts.grant.identifierHelp')}</p>
          </div>
          <div className="field">
            <label htmlFor={`${id}-p`}>{t('accounts.grant.initialPassword')}</label>
            <input
              id={`${id}-p`}
              type="password"
              autoComplete="new-password"
              value={initialPassword}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
            <p className="muted small">{t('accounts.grant.initialPasswordHelp')}</p>
          </div>
        </>
      )}
      <div className="field">
        <label htmlFor={`${id}-e`}>{t('accounts.grant.email')}</label>
        <input
          id={`${id}-e`}
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value.trim())}
          required
        />
        <p className="muted small">{t('accounts.grant.emailHelp')}</p>
      </div>
      {error && <ErrorState code={error} compact />}
      <div className="actions">
        <Button type="submit" className="button button-primary" isDisabled={busy}>
          {t('accounts.grant.submit')}
        </Button>
        <Button className="button" onPress={onCancel}>
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}

export default function Accounts() {
  const { t } = useTranslation();
  const api = useApi();
  const list = useCall(() => api.accounts.listPharmacy(), [api]);
  const [granting, setGranting] = useState(false);
  const [revoking, setRevoking] = useState<AccountStatus | null>(null);
  const [revokeError, setRevokeError] = useState<ErrorCode | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const revoke = async () => {
    if (!revoking) return;
    const r = await api.accounts.revokeDelegation({ accountId: revoking.accountId });
    if (r.ok) {
      setNotice(t('accounts.revoked', { name: revoking.displayName }));
      setRevoking(null);
      list.reload();
    } else setRevokeError(r.code);
  };
  return (
    <>
      <div className="page-head">
        <h1 className="page-title">{t('accounts.title')}</h1>
        <Button className="button button-primary" onPress={() => setGranting(true)}>
          <UserPlus aria-hidden="true" size={20} /> {t('accounts.grant.open')}
        </Button>
      </div>
      <p className="lead">{t('accounts.intro')}</p>
      {notice && <Success title={notice} />}
      {list.status === 'loading' && <Loading />}
      {list.status === 'error' && list.code === 'FORBIDDEN' && <Empty title={t('accounts.holderOnly')} />}
      {list.status === 'error' && list.code !== 'FORBIDDEN' && (
        <ErrorState code={list.code} onRetry={list.reload} />
      )}
      {list.value && list.value.accounts.length === 0 && <Empty title={t('accounts.empty')} />}
      {list.value && list.value.accounts.length > 0 && (
        <AccountsList
          accounts={list.value.accounts}
          onRevoke={(a) => (setRevokeError(null), setRevoking(a))}
        />
      )}
      {list.value && <PharmacyWorkstations />}
      <AppDialog isOpen={granting} onOpenChange={setGranting} title={t('accounts.grant.title')}>
        <GrantForm
          onCancel={() => setGranting(false)}
          onDone={() => {
            setGranting(false);
            setNotice(t('accounts.granted'));
            list.reload();
          }}
        />
      </AppDialog>
      <ConfirmDialog
        isOpen={revoking !== null}
        title={t('accounts.revokeTitle', { name: revoking?.displayName ?? '' })}
        body={t('accounts.revokeHelp')}
        confirmLabel={t('accounts.revokeConfirm')}
        error={revokeError}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      />
    </>
  );
}
