import { useId, useState, type FormEvent } from 'react';
import { Button, Label, Radio, RadioGroup } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { ErrorState } from '../../components/ui';
import { useApi } from '../../lib/api-context';
import { useAction } from '../../lib/use-action';

type Kind = 'card_delegate' | 'password_delegate';

/** A new delegate: with a card (national id) or, for an accountant, an identifier and a first password. */
export function GrantForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [kind, setKind] = useState<Kind>('card_delegate');
  const [displayName, setName] = useState('');
  const [nationalId, setNationalId] = useState('');
  const [identifier, setIdentifier] = useState('');
  const [email, setEmail] = useState('');
  const [initialPassword, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(
      () =>
        api.accounts.grantDelegation(
          kind === 'card_delegate'
            ? { kind, displayName, nationalId, email }
            : { kind, displayName, identifier, email, initialPassword },
        ),
      onDone,
    );
  };
  return (
    <form className="form" onSubmit={(e) => void submit(e)}>
      <RadioGroup value={kind} onChange={(v) => setKind(v as Kind)} className="radio-group">
        <Label>{t('accounts.grant.kind')}</Label>
        <Radio value="card_delegate" className="radio">
          {t('accounts.grant.card')}
        </Radio>
        <Radio value="password_delegate" className="radio">
          {t('accounts.grant.password')}
        </Radio>
      </RadioGroup>
      <div className="field">
        <label htmlFor={`${id}-n`}>{t('accounts.grant.name')}</label>
        <input id={`${id}-n`} value={displayName} onChange={(e) => setName(e.target.value)} required />
      </div>
      {kind === 'card_delegate' ? (
        <div className="field">
          <label htmlFor={`${id}-r`}>{t('accounts.grant.nationalId')}</label>
          <input
            id={`${id}-r`}
            inputMode="numeric"
            value={nationalId}
            onChange={(e) => setNationalId(e.target.value.trim())}
            required
            pattern="[08][0-9]{8,11}"
          />
          <p className="muted small">{t('ecps.nationalIdHelp')}</p>
        </div>
      ) : (
        <>
          <div className="field">
            <label htmlFor={`${id}-i`}>{t('accounts.grant.identifier')}</label>
            <input
              id={`${id}-i`}
              value={identifier}
              onChange={(e) => setIdentifier(e.target.value.trim())}
              required
              pattern="[A-Za-z0-9._\-]{6,64}"
            />
            <p className="muted small">{t('accounts.grant.identifierHelp')}</p>
          </div>
          <div className="field">
            <label htmlFor={`${id}-p`}>{t('accounts.grant.initialPassword')}</label>
            <input
              id={`${id}-p`}
              type="password"
              autoComplete="new-password"
              value={initialPassword}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
            <p className="muted small">{t('accounts.grant.initialPasswordHelp')}</p>
          </div>
        </>
      )}
      <div className="field">
        <label htmlFor={`${id}-e`}>{t('accounts.grant.email')}</label>
        <input
          id={`${id}-e`}
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value.trim())}
          required
        />
        <p className="muted small">{t('accounts.grant.emailHelp')}</p>
      </div>
      {error && <ErrorState code={error} compact />}
      <div className="actions">
        <Button type="submit" className="button button-primary" isDisabled={busy}>
          {t('accounts.grant.submit')}
        </Button>
        <Button className="button" onPress={onCancel}>
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}
