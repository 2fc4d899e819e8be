import type { FormEvent } from 'react';
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
        <section className="panel" aria-labelledby="paths-title">
          <h2 id="paths-title" className="panel-title">
            {t('unblock.pathsTitle')}
          </h2>
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
        </section>
      )}
      {(stage.s === 'key' || stage.s === 'postal') && !ident && (
        <ErrorState code="INVALID_REQUEST" onRetry={() => setStage({ s: 'start' })} />
      )}
      {stage.s === 'key' && ident && (
        <section className="panel" aria-labelledby="key-title">
          <h2 id="key-title" className="panel-title">
            {t('unblock.path.security_key.title')}
          </h2>
          <SecurityKeyStep
            identifier={ident}
            onTicket={(ticket) => setStage({ s: 'password', ticket })}
            onNotEnough={w.keyNotEnough}
          />
        </section>
      )}
      {stage.s === 'postal' && ident && (
        <section className="panel" aria-labelledby="postal-title">
          <h2 id="postal-title" className="panel-title">
            {t('unblock.path.postal_code.title')}
          </h2>
          <PostalStep identifier={ident} onTicket={(ticket) => setStage({ s: 'password', ticket })} />
        </section>
      )}
      {stage.s === 'password' && (
        <section className="panel" aria-labelledby="np-title">
          <h2 id="np-title" className="panel-title">
            {t('unblock.newPassword.title')}
          </h2>
          <NewPasswordStep ticket={stage.ticket} identifier={ident} onDone={() => setStage({ s: 'done' })} />
        </section>
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
