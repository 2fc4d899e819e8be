import { useState, type FormEvent } from 'react';
import { Button, Label, Radio, RadioGroup } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { parisDate } from '../../../../domain/policy/paris-time';
import { TextField } from '../../components/TextField';
import { ErrorState } from '../../components/ui';
import { useApi } from '../../lib/api-context';
import { useAction } from '../../lib/use-action';

type Kind = 'card_delegate' | 'password_delegate';

/** A new delegate: with a card (national id) or, for an accountant, an identifier and a first password. */
export function GrantForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [kind, setKind] = useState<Kind>('card_delegate');
  const [displayName, setName] = useState('');
  const [nationalId, setNationalId] = useState('');
  const [identifier, setIdentifier] = useState('');
  const [email, setEmail] = useState('');
  const [initialPassword, setPassword] = useState('');
  const [endsOn, setEndsOn] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(
      () =>
        api.accounts.grantDelegation(
          kind === 'card_delegate'
            ? { kind, displayName, nationalId, email, ...(endsOn ? { endsOn } : {}) }
            : { kind, displayName, identifier, email, initialPassword, ...(endsOn ? { endsOn } : {}) },
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
      <TextField label={t('accounts.grant.name')} value={displayName} onChange={setName} required />
      {kind === 'card_delegate' ? (
        <TextField
          label={t('accounts.grant.nationalId')}
          inputMode="numeric"
          value={nationalId}
          onChange={(v) => setNationalId(v.trim())}
          required
          pattern="[08][0-9]{8,11}"
          help={t('ecps.nationalIdHelp')}
        />
      ) : (
        <>
          <TextField
            label={t('accounts.grant.identifier')}
            value={identifier}
            onChange={(v) => setIdentifier(v.trim())}
            required
            pattern="[A-Za-z0-9._\-]{6,64}"
            help={t('accounts.grant.identifierHelp')}
          />
          <TextField
            label={t('accounts.grant.initialPassword')}
            type="password"
            autoComplete="new-password"
            value={initialPassword}
            onChange={setPassword}
            required
            help={t('accounts.grant.initialPasswordHelp')}
          />
        </>
      )}
      <TextField
        label={t('accounts.grant.email')}
        type="email"
        value={email}
        onChange={(v) => setEmail(v.trim())}
        required
        help={t('accounts.grant.emailHelp')}
      />
      <TextField
        label={t('accounts.grant.endsOn')}
        type="date"
        min={parisDate(new Date())}
        value={endsOn}
        onChange={setEndsOn}
        help={t('accounts.grant.endsOnHelp')}
      />
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
