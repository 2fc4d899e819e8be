import { useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { AccountStatus } from '../../../../domain/backend-api/schemas';
import { parisDate } from '../../../../domain/policy/paris-time';
import { TextField } from '../../components/TextField';
import { ErrorState } from '../../components/ui';
import { useApi } from '../../lib/api-context';
import { formatDate } from '../../lib/format';
import { useAction } from '../../lib/use-action';

/** A `YYYY-MM-DD` day shown in words (« 20 janvier 2027 »): noon UTC is that day in Paris. */
export const dayInWords = (day: string, lang: string) => formatDate(`${day}T12:00:00Z`, lang);

/**
 * A delegate's « fin de contrat »: the last day of access, shown in words, set, changed or removed by the holder.
 * The access ends at the end of that day (Paris time); the holder is reminded 7 days before.
 */
export function EndDate({ account, onChanged }: { account: AccountStatus; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [editing, setEditing] = useState(false);
  const [day, setDay] = useState(account.delegationEndsOn ?? '');
  const { busy, error, run } = useAction();
  const save = async (endsOn: string | null) =>
    run(
      () => api.accounts.setDelegationEnd({ accountId: account.accountId, endsOn }),
      () => {
        setEditing(false);
        onChanged();
      },
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (day) void save(day);
  };
  const ends = account.delegationEndsOn ?? null;
  return (
    <div className="end-date" data-testid="end-date" data-ends-on={ends ?? ''}>
      <p className="small">
        {ends
          ? t('accounts.endDate.on', { date: dayInWords(ends, i18n.language) })
          : t('accounts.endDate.none')}
      </p>
      {!editing ? (
        <Button className="button button-quiet" onPress={() => setEditing(true)}>
          {ends ? t('accounts.endDate.change') : t('accounts.endDate.set')}
        </Button>
      ) : (
        <form className="form form-inline" onSubmit={submit}>
          <TextField
            label={t('accounts.endDate.label', { name: account.displayName })}
            type="date"
            min={parisDate(new Date())}
            value={day}
            onChange={setDay}
            help={t('accounts.endDate.help')}
            required
          />
          {error && <ErrorState code={error} compact />}
          <div className="actions">
            <Button type="submit" className="button button-primary" isDisabled={busy || !day}>
              {t('accounts.endDate.save')}
            </Button>
            {ends && (
              <Button className="button" isDisabled={busy} onPress={() => void save(null)}>
                {t('accounts.endDate.remove')}
              </Button>
            )}
            <Button className="button button-quiet" onPress={() => setEditing(false)}>
              {t('common.cancel')}
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}
