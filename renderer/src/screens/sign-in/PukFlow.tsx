import { useId, useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { ErrorState, Success } from '../../components/ui';
import { useApi } from '../../lib/api-context';
import { useAction } from '../../lib/use-action';
import { SecretDigits } from './SecretDigits';

const PUK_LENGTH = 8;
/** The CPS PIN is 4 digits (reference/cps-card.md), as `PinEntry` asks for it. */
const PIN_LENGTH = 4;

/** Card PIN blocked (needs the PUK): the card's problem, not the account's. Steps with the 8-digit PUK. */
export function PukFlow({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [puk, setPuk] = useState('');
  const [pin, setPin] = useState('');
  const [pin2, setPin2] = useState('');
  const [done, setDone] = useState(false);
  const action = useAction();
  const mismatch = pin2.length > 0 && pin !== pin2;
  const complete = puk.length === PUK_LENGTH && pin.length === PIN_LENGTH && pin === pin2;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!complete) return;
    await action.run(
      () => api.card.unblockPin({ puk, newPin: pin }),
      () => (setDone(true), setPin(''), setPin2('')),
    );
    setPuk('');
  };
  if (done)
    return (
      <Success title={t('puk.done')}>
        <Button className="button button-primary" onPress={onDone}>
          {t('puk.signInNow')}
        </Button>
      </Success>
    );
  return (
    <section className="panel puk" aria-labelledby={`${id}-t`} data-testid="puk-flow">
      <h2 id={`${id}-t`} className="panel-title">
        {t('puk.title')}
      </h2>
      <p>{t('puk.notAccount')}</p>
      <ol className="numbered">
        <li>{t('puk.step1')}</li>
        <li>{t('puk.step2')}</li>
        <li>{t('puk.step3')}</li>
      </ol>
      <form onSubmit={(e) => void submit(e)} className="form">
        <SecretDigits label={t('puk.puk')} length={PUK_LENGTH} value={puk} onChange={setPuk} />
        <SecretDigits label={t('puk.newPin')} length={PIN_LENGTH} value={pin} onChange={setPin} />
        <SecretDigits
          label={t('puk.newPin2')}
          length={PIN_LENGTH}
          value={pin2}
          onChange={setPin2}
          error={mismatch ? t('puk.mismatch') : null}
        />
        {action.error && <ErrorState code={action.error} compact />}
        <Button type="submit" className="button button-primary" isDisabled={action.busy || !complete}>
          {t('puk.submit')}
        </Button>
      </form>
      <p className="muted small">{t('puk.lost')}</p>
    </section>
  );
}
