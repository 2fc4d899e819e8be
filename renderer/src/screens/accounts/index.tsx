import { UserPlus } from 'lucide-react';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { AccountStatus } from '../../../../domain/backend-api/schemas';
import { PharmacyWorkstations } from '../../components/Workstations';
import { AppDialog, ConfirmDialog, Empty, ErrorState, Loading, Success } from '../../components/ui';
import { useApi } from '../../lib/api-context';
import { useCall, useSessionState } from '../../lib/hooks';
import { useAction } from '../../lib/use-action';
import { AccountsList } from './AccountsList';
import { GrantForm } from './GrantForm';
import { DelegateSecondFactor, GracePanel } from './SecondFactor';
import { Upcoming } from './Upcoming';

export { AccountRow, AccountsList, byUrgency } from './AccountsList';

/**
 * « Comptes de la pharmacie », for the holder: every account with its timeline, delegations, second factors,
 * workstations. A delegate who lands here sees her own access only, without the holder's buttons (the backend
 * would refuse them).
 */
export default function Accounts() {
  const session = useSessionState();
  if (!session.value && !session.error) return <Loading />;
  return <AccountsOf holder={session.value?.user?.kind === 'holder'} />;
}

function AccountsOf({ holder }: { holder: boolean }) {
  const { t } = useTranslation();
  const api = useApi();
  const list = useCall(() => api.accounts.listPharmacy(), [api]);
  const factors = useCall(
    () => (holder ? api.accounts.pharmacyFactors() : Promise.resolve({ ok: true as const, value: null })),
    [api, holder],
  );
  const fv = factors.value;
  const [granting, setGranting] = useState(false);
  const [revoking, setRevoking] = useState<AccountStatus | null>(null);
  const revocation = useAction();
  const [notice, setNotice] = useState<string | null>(null);
  const revoke = async () => {
    if (!revoking) return;
    await revocation.run(
      () => api.accounts.revokeDelegation({ accountId: revoking.accountId }),
      () => {
        setNotice(t('accounts.revoked', { name: revoking.displayName }));
        setRevoking(null);
        list.reload();
      },
    );
  };
  return (
    <>
      <div className="page-head">
        <h1 className="page-title">{t('accounts.title')}</h1>
        {holder && (
          <Button className="button button-primary" onPress={() => setGranting(true)}>
            <UserPlus aria-hidden="true" size={20} /> {t('accounts.grant.open')}
          </Button>
        )}
      </div>
      <p className="lead">{holder ? t('accounts.intro') : t('accounts.delegateIntro')}</p>
      {!holder && (
        <p className="note" data-testid="holder-only-note">
          {t('accounts.holderOnly')}
        </p>
      )}
      {notice && <Success title={notice} />}
      {list.status === 'loading' && <Loading />}
      {list.status === 'error' && list.code === 'FORBIDDEN' && <Empty title={t('accounts.holderOnly')} />}
      {list.status === 'error' && list.code !== 'FORBIDDEN' && (
        <ErrorState code={list.code} onRetry={list.reload} />
      )}
      {list.value && list.value.accounts.length === 0 && <Empty title={t('accounts.empty')} />}
      {holder && list.value && <Upcoming accounts={list.value.accounts} />}
      {holder && fv && <GracePanel grace={fv.grace} inGrace={fv.inGrace} onExtended={factors.reload} />}
      {holder && !fv && factors.status === 'error' && (
        <ErrorState code={factors.code} onRetry={factors.reload} compact />
      )}
      {list.value && list.value.accounts.length > 0 && (
        <AccountsList
          accounts={list.value.accounts}
          onRevoke={holder ? (a) => (revocation.setError(null), setRevoking(a)) : undefined}
          onChanged={holder ? list.reload : undefined}
          extra={(a) => {
            const f = fv?.delegates.find((d) => d.accountId === a.accountId);
            return (
              fv &&
              f && (
                <DelegateSecondFactor
                  account={a}
                  factor={f}
                  grace={fv.grace}
                  inGrace={fv.inGrace}
                  onReset={factors.reload}
                />
              )
            );
          }}
        />
      )}
      {holder && list.value && <PharmacyWorkstations />}
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
        error={revocation.error}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      />
    </>
  );
}
