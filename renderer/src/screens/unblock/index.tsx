import type { FormEvent, ReactNode } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { TextField } from '../../components/TextField';
import { ErrorState, Success } from '../../components/ui';
import type { UnblockStart } from '../sign-in';
import { LetterOnThisWorkstation } from './LetterJourney';
import { NewPasswordStep } from './NewPasswordStep';
import { PathChoice } from './PathChoice';
import { PostalStep } from './PostalStep';
import { SecurityKeyStep } from './SecurityKeyStep';
import { useUnblockWizard } from './use-unblock-wizard';

export { LetterJourney } from './LetterJourney';
export { PathChoice } from './PathChoice';

/** One step of the wizard: a panel titled for screen readers. */
function StepPanel({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id} className="panel-title">
        {title}
      </h2>
      {children}
    </section>
  );
}

const STEP_NUMBER = { start: 1, paths: 2, key: 3, postal: 3, password: 4, done: 5 } as const;

/** One entry point: asks the backend which ways out can work now and shows only those, best first. */
export default function Unblock() {
  const { t } = useTranslation();
  const location = useLocation();
  const from = (location.state ?? {}) as UnblockStart;
  const w = useUnblockWizard(from);
  const { stage, ident, setStage } = w;
  const ask = (e: FormEvent) => (e.preventDefault(), void w.ask());
  return (
    <div className="wizard" data-testid="unblock" data-stage={stage.s}>
      <h1 className="page-title">{t('unblock.title')}</h1>
      <p className="lead">{from.reason ? t(`unblock.reason.${from.reason}`) : t('unblock.intro')}</p>
      <p className="muted small" aria-live="polite">
        {t('unblock.stepOf', { step: STEP_NUMBER[stage.s], total: 5 })}
      </p>
      {stage.s === 'start' && (
        <form className="panel form" onSubmit={ask}>
          <TextField
            label={t('unblock.identifier')}
            autoComplete="username"
            value={w.identifier}
            onChange={w.setIdentifier}
            help={t('unblock.identifierHelp')}
          />
          {w.action.error && <ErrorState code={w.action.error} compact />}
          <div className="actions">
            <Button type="submit" className="button button-primary" isDisabled={w.action.busy}>
              {t('unblock.next')}
            </Button>
            <Link to="/" className="link">
              {t('unblock.back')}
            </Link>
          </div>
        </form>
      )}
      {stage.s === 'paths' && (
        <StepPanel id="paths-title" title={t('unblock.pathsTitle')}>
          {stage.notEnough && (
            <p className="state state-warn state-compact" role="status" data-testid="key-not-enough">
              {t('unblock.keyNotEnough')}
            </p>
          )}
          {ident && <LetterOnThisWorkstation identifier={ident} onOpen={() => setStage({ s: 'postal' })} />}
          {stage.paths.length === 0 ? (
            <ErrorState code="SECURITY_KEY_NOT_ALLOWED" />
          ) : (
            <PathChoice paths={stage.paths} onChoose={w.choose} />
          )}
          {stage.generic && (
            <p className="muted small" data-testid="same-for-all">
              {t('unblock.sameForAll')}
            </p>
          )}
          {stage.triesLeft != null && (
            <p className="muted small">{t('unblock.key.triesLeft', { count: stage.triesLeft })}</p>
          )}
        </StepPanel>
      )}
      {(stage.s === 'key' || stage.s === 'postal') && !ident && (
        <ErrorState code="INVALID_REQUEST" onRetry={() => setStage({ s: 'start' })} />
      )}
      {stage.s === 'key' && ident && (
        <StepPanel id="key-title" title={t('unblock.path.security_key.title')}>
          <SecurityKeyStep
            identifier={ident}
            onTicket={(ticket) => setStage({ s: 'password', ticket })}
            onNotEnough={w.keyNotEnough}
          />
        </StepPanel>
      )}
      {stage.s === 'postal' && ident && (
        <StepPanel id="postal-title" title={t('unblock.path.postal_code.title')}>
          <PostalStep identifier={ident} onTicket={(ticket) => setStage({ s: 'password', ticket })} />
        </StepPanel>
      )}
      {stage.s === 'password' && (
        <StepPanel id="np-title" title={t('unblock.newPassword.title')}>
          <NewPasswordStep ticket={stage.ticket} identifier={ident} onDone={() => setStage({ s: 'done' })} />
        </StepPanel>
      )}
      {stage.s === 'done' && (
        <Success title={t('unblock.done')}>
          <p>{t('unblock.doneHelp')}</p>
          <Link to="/" state={{ method: 'password' }} className="button button-primary">
            {t('unblock.signIn')}
          </Link>
        </Success>
      )}
      {(stage.s === 'paths' || stage.s === 'key' || stage.s === 'postal') && (
        <Button className="button button-quiet" onPress={w.back}>
          {t('common.back')}
        </Button>
      )}
    </div>
  );
}
