import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { SessionState, SignInOutcome } from '../../../../domain/api/groups/session';
import { AppDialog } from '../../components/ui';
import { useApi } from '../../lib/api-context';
import { formatDate } from '../../lib/format';
import { useAction } from '../../lib/use-action';
import { SecondStep } from '../sign-in/SecondStep';

/**
 * A password session opened in the pharmacy's grace period: how many days a password alone still works, and a way
 * to enrol the second factor now (through the mailbox, as at sign-in).
 */
export function GraceBanner({ session }: { session: SessionState }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const action = useAction();
  const [step, setStep] = useState<Extract<SignInOutcome, { status: 'second-step' }> | null>(null);
  const grace = session.factorGrace;
  if (session.status !== 'signed-in' || !grace) return null;
  const start = () =>
    action.run(
      () => api.session.startEnrolment(),
      (o) => {
        if (o.status === 'second-step') setStep(o);
      },
    );
  return (
    <div className="banner banner-info" role="status" data-testid="grace-banner">
      <span>
        {t('secondFactor.grace', {
          count: grace.daysLeft,
          date: formatDate(grace.graceEndsAt, i18n.language),
        })}
      </span>{' '}
      <Button className="button" onPress={() => void start()} isDisabled={action.busy}>
        {t('secondFactor.enrolNow')}
      </Button>
      <AppDialog
        isOpen={step !== null}
        onOpenChange={(open) => !open && setStep(null)}
        title={t('secondFactor.enrolTitle')}
      >
        {step && <SecondStep step={step} onCancel={() => setStep(null)} />}
      </AppDialog>
    </div>
  );
}
