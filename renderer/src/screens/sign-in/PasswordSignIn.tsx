import { useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { TextField } from '../../components/TextField';
import { useApi } from '../../lib/api-context';
import { errorText } from '../../lib/errors';
import { useSessionState } from '../../lib/hooks';
import { BlockedNotice, type UnblockStart } from './BlockedNotice';
import { RememberChoice } from './RememberChoice';
import { SecondStep } from './SecondStep';
import { useOutcome } from './use-outcome';

/**
 * The password tab, for delegates: identifier, password, « remember me », the ways out of a block, and the second step
 * once the password was right.
 */
export function PasswordSignIn() {
  const { t } = useTranslation();
  const api = useApi();
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(false);
  const rememberState = useSessionState().value?.remember;
  const { outcome, error, busy, attempt, reset } = useOutcome();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!identifier.trim() || !password) return;
    await attempt(() =>
      api.session.signInWithPassword({
        identifier: identifier.trim(),
        password,
        ...(remember && rememberState?.available ? { remember: true } : {}),
      }),
    );
    setPassword('');
  };
  const words = error ? errorText(t, error) : null;
  if (outcome?.status === 'second-step') return <SecondStep step={outcome} onCancel={reset} />;
  return (
    <form className="form" onSubmit={(e) => void submit(e)} data-testid="password-signin">
      <p>{t('signIn.passwordIntro')}</p>
      <TextField
        label={t('signIn.identifier')}
        autoComplete="username"
        value={identifier}
        onChange={setIdentifier}
        help={t('signIn.identifierHelp')}
      />
      <TextField
        label={t('signIn.password')}
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={setPassword}
      />
      <RememberChoice state={rememberState} selected={remember} onChange={setRemember} />
      {words && (
        <div
          className="state state-error state-compact"
          role="alert"
          data-testid="signin-error"
          data-code={error}
        >
          <div>
            <p className="state-title">{words.what}</p>
            <p className="muted">{words.next}</p>
          </div>
        </div>
      )}
      {outcome?.status === 'blocked' && (
        <BlockedNotice outcome={{ ...outcome, identifier: outcome.identifier ?? identifier.trim() }} />
      )}
      <div className="actions">
        <Button
          type="submit"
          className="button button-primary"
          isDisabled={busy || !identifier.trim() || !password}
        >
          {t('signIn.submit')}
        </Button>
        <Link
          to="/unblock"
          state={{ identifier: identifier.trim() || null } satisfies UnblockStart}
          className="link"
        >
          {t('signIn.blockedLink')}
        </Link>
        <Link to="/fresh-start" className="link">
          {t('freshStart.code.link')}
        </Link>
      </div>
    </form>
  );
}
