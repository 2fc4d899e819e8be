import { useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { formAnswers, SecurityKeyFields, useSecurityKeyQuestions } from '../../components/SecurityKeyFields';
import { ErrorState, Loading } from '../../components/ui';
import { useApi } from '../../lib/api-context';
import { useAction } from '../../lib/use-action';

/** The security key's questions; a right key gives the ticket that lets the person choose a new password. */
export function SecurityKeyStep({
  identifier,
  onTicket,
  onNotEnough,
}: {
  identifier: string;
  onTicket: (ticket: string) => void;
  /** The key was right but is not enough for this account (after the person's own report). */
  onNotEnough: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const { questions, code: questionsCode } = useSecurityKeyQuestions();
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [showErrors, setShowErrors] = useState(false);
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const sent = questions && formAnswers(questions, answers);
    setShowErrors(true);
    // an answer that cannot be right is said at its field, and costs no try
    if (!sent) return;
    const r = await action.run(
      () => api.unblock.submitSecurityKey({ identifier, answers: sent }),
      (v) => onTicket(v.ticket),
    );
    if (!r.ok && r.code === 'SECURITY_KEY_NOT_ALLOWED') onNotEnough();
  };
  const shown = action.error ?? questionsCode;
  if (!questions && !shown) return <Loading />;
  return (
    <form className="form" onSubmit={(e) => void submit(e)} data-testid="security-key">
      <p>{t('unblock.key.intro')}</p>
      {questions && (
        <SecurityKeyFields
          questions={questions}
          answers={answers}
          onChange={setAnswers}
          showErrors={showErrors}
        />
      )}
      {shown && <ErrorState code={shown} compact />}
      {questions && (
        <Button
          type="submit"
          className="button button-primary"
          isDisabled={action.busy || questions.some((q) => !answers[q.id])}
        >
          {t('unblock.key.submit')}
        </Button>
      )}
    </form>
  );
}
