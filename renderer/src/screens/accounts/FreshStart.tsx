import { RotateCcw } from 'lucide-react';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { AccountStatus } from '../../../../domain/backend-api/schemas';
import type { ErrorCode } from '../../../../domain/errors';
import { ConfirmDialog, ErrorState, Success } from '../../components/ui';
import { useApi } from '../../lib/api-context';
import { formatDate } from '../../lib/format';

/**
 * « Nouveau départ »: after a report withdrew a password delegate's password, the holder (signed in with her card or
 * e-CPS) sends the delegate a one-time code to her dedicated address, to choose a new password.
 */
export function FreshStart({ account }: { account: AccountStatus }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [asking, setAsking] = useState(false);
  const [sent, setSent] = useState<{ sentTo: string; expiresAt: string } | null>(null);
  const [err, setErr] = useState<ErrorCode | null>(null);
  if (!account.passwordWithdrawn) return null;
  const send = async () => {
    setAsking(false);
    const r = await api.accounts.freshStart({ accountId: account.accountId });
    if (r.ok) {
      setSent(r.value);
      setErr(null);
    } else setErr(r.code);
  };
  return (
    <div className="fresh-start" data-testid="fresh-start">
      <p className="small">{t('freshStart.withdrawn')}</p>
      {sent ? (
        <Success title={t('freshStart.sent', { to: sent.sentTo })}>
          <p className="muted small">
            {t('freshStart.until', { date: formatDate(sent.expiresAt, i18n.language) })}
          </p>
        </Success>
      ) : (
        <Button className="button" onPress={() => setAsking(true)}>
          <RotateCcw aria-hidden="true" size={18} /> {t('freshStart.action')}
        </Button>
      )}
      {err && <ErrorState code={err} compact />}
      <ConfirmDialog
        isOpen={asking}
        title={t('freshStart.confirmTitle', { name: account.displayName })}
        body={t('freshStart.confirmText')}
        confirmLabel={t('freshStart.confirm')}
        error={null}
        onConfirm={() => void send()}
        onCancel={() => setAsking(false)}
      />
    </div>
  );
}
