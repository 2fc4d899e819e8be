import { useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { TextField } from '../components/TextField';
import { NewPasswordFields, useNewPassword } from '../components/PasswordField';
import { ErrorState, Success } from '../components/ui';
import { useApi } from '../lib/api-context';
import { useAction } from '../lib/use-action';

/**
 * For a password delegate after her report: the code the holder's « Nouveau départ » mailed to her dedicated
 * address, and a new password. The code serves once.
 */
export default function FreshStartCode() {
  const { t } = useTranslation();
  const api = useApi();
  const [identifier, setIdentifier] = useState('');
  const [code, setCode] = useState('');
  const pw = useNewPassword();
  const { busy, error: err, run } = useAction();
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(
      () =>
        api.unblock.redeemFreshStart({
          identifier: identifier.trim(),
          code: code.trim(),
          newPassword: pw.value,
        }),
      () => setDone(true),
    );
  };
  return (
    <main className="screen screen-narrow" data-testid="fresh-start-code">
      <h1>{t('freshStart.code.title')}</h1>
      {done ? (
        <>
          <Success title={t('freshStart.code.done')} />
          <Link className="button button-primary" to="/">
            {t('freshStart.code.signIn')}
          </Link>
        </>
      ) : (
        <form className="form" onSubmit={(e) => void submit(e)}>
          <p>{t('freshStart.code.intro')}</p>
          <TextField
            label={t('freshStart.code.identifier')}
            autoComplete="username"
            value={identifier}
            onChange={setIdentifier}
          />
          <TextField
            label={t('freshStart.code.code')}
            autoComplete="one-time-code"
            value={code}
            onChange={setCode}
            className="code-input"
            data-testid="fresh-start-code-input"
            help={t('freshStart.code.codeHelp')}
          />
          <NewPasswordFields
            check={(password) =>
              api.unblock.checkPassword({
                password,
                ...(identifier.trim() ? { identifier: identifier.trim() } : {}),
              })
            }
            {...pw.fields}
          />
          {err && <ErrorState code={err} compact />}
          <Button
            type="submit"
            className="button button-primary"
            isDisabled={busy || !identifier.trim() || !code.trim() || !pw.ready}
          >
            {t('freshStart.code.submit')}
          </Button>
        </form>
      )}
    </main>
  );
}
