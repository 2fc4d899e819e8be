import type { FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { NewPasswordFields, useNewPassword } from '../../components/PasswordField';
import { ErrorState } from '../../components/ui';
import { useApi } from '../../lib/api-context';
import { useAction } from '../../lib/use-action';

/** The last step: a new password, accepted with the ticket a proven way out gave. */
export function NewPasswordStep({
  ticket,
  identifier,
  onDone,
}: {
  ticket: string;
  identifier: string;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const pw = useNewPassword();
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await action.run(() => api.unblock.setNewPassword({ ticket, newPassword: pw.value }), onDone);
  };
  return (
    <form className="form" onSubmit={(e) => void submit(e)} data-testid="new-password-step">
      <p>{t('unblock.newPassword.intro')}</p>
      <NewPasswordFields
        check={(password) => api.unblock.checkPassword({ password, identifier })}
        {...pw.fields}
      />
      {action.error && <ErrorState code={action.error} compact />}
      <Button type="submit" className="button button-primary" isDisabled={action.busy || !pw.ready}>
        {t('unblock.newPassword.submit')}
      </Button>
    </form>
  );
}
