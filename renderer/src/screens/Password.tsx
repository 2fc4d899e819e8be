import { useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { TextField } from '../components/TextField';
import { NewPasswordFields, useNewPassword } from '../components/PasswordField';
import { ErrorState, Success } from '../components/ui';
import { useApi, useShell } from '../lib/api-context';
import { useAction } from '../lib/use-action';

/** Password change: the current one, a new one with its live strength, the policy in plain words. */
export default function Password({ required = false }: { required?: boolean }) {
  const { t } = useTranslation();
  const api = useApi();
  const shell = useShell();
  const [current, setCurrent] = useState('');
  const pw = useNewPassword();
  const { busy, error: err, run } = useAction();
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!current || !pw.ready) return;
    await run(
      () => api.session.changePassword({ currentPassword: current, newPassword: pw.value }),
      (session) => {
        shell.sessionChanged(session);
        setDone(true);
        setCurrent('');
        pw.clear();
      },
    );
  };
  return (
    <>
      <h1 className="page-title">{t('password.title')}</h1>
      {required && (
        <p className="note note-warn" role="alert">
          {t('password.required')}
        </p>
      )}
      <p className="lead">{t('password.intro')}</p>
      {done ? (
        <Success title={t('password.done')} />
      ) : (
        <form className="panel form narrow" onSubmit={(e) => void submit(e)}>
          <TextField
            label={t('password.current')}
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={setCurrent}
          />
          <NewPasswordFields check={(password) => api.session.checkPassword({ password })} {...pw.fields} />
          {err && <ErrorState code={err} compact />}
          <Button type="submit" className="button button-primary" isDisabled={busy || !current || !pw.ready}>
            {t('password.submit')}
          </Button>
        </form>
      )}
    </>
  );
}
