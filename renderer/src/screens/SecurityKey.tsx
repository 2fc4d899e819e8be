import { useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { TextField } from '../components/TextField';
import { formAnswers, SecurityKeyFields, useSecurityKeyQuestions } from '../components/SecurityKeyFields';
import { ErrorState, Loading, Success } from '../components/ui';
import { useApi } from '../lib/api-context';
import { formatDate } from '../lib/format';
import { useSessionState } from '../lib/hooks';
import { useAction } from '../lib/use-action';

/**
 * Set or replace the security key: the personal information that unblocks the account online, without waiting
 * for a letter. A session alone is not enough: the current password, or a card or e-CPS sign-in of the last few
 * minutes (the backend decides; this screen asks for the password when it is the way to prove it).
 */
export default function SecurityKey() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const { value: session } = useSessionState();
  const { questions, code: questionsCode } = useSecurityKeyQuestions();
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [current, setCurrent] = useState('');
  const [showErrors, setShowErrors] = useState(false);
  const { busy, error: err, run } = useAction();
  const [setAt, setSetAt] = useState<string | null>(null);
  const user = session?.user;
  // A card or e-CPS sign-in of the last minutes is the proof; past them, an account with a password types it.
  const askPassword =
    user?.method === 'password' || (err === 'FRESH_PROOF_REQUIRED' && user?.kind !== 'card_delegate');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const sent = questions && formAnswers(questions, answers);
    setShowErrors(true);
    if (!sent || (askPassword && !current)) return;
    await run(
      () =>
        api.accounts.setSecurityKey({ answers: sent, ...(askPassword ? { currentPassword: current } : {}) }),
      (v) => (setSetAt(v.setAt), setAnswers({})),
    );
    setCurrent('');
  };
  return (
    <>
      <h1 className="page-title">{t('securityKey.title')}</h1>
      <p className="lead">{t('securityKey.intro')}</p>
      {setAt ? (
        <Success title={t('securityKey.done', { date: formatDate(setAt, i18n.language) })}>
          <p>{t('securityKey.doneMail')}</p>
        </Success>
      ) : !questions && !questionsCode ? (
        <Loading />
      ) : (
        <form className="panel form narrow" onSubmit={(e) => void submit(e)} data-testid="security-key-form">
          <p className="muted small">{t('securityKey.private')}</p>
          {questions && (
            <SecurityKeyFields
              questions={questions}
              answers={answers}
              onChange={setAnswers}
              showErrors={showErrors}
            />
          )}
          {askPassword ? (
            <TextField
              label={t('password.current')}
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={setCurrent}
              data-testid="security-key-password"
              help={t('securityKey.passwordWhy')}
            />
          ) : (
            <p className="note">{t('securityKey.cardProof')}</p>
          )}
          {(err ?? questionsCode) && <ErrorState code={(err ?? questionsCode)!} compact />}
          {questions && (
            <Button
              type="submit"
              className="button button-primary"
              isDisabled={busy || questions.some((q) => !answers[q.id]) || (askPassword && !current)}
            >
              {t('securityKey.submit')}
            </Button>
          )}
        </form>
      )}
    </>
  );
}
