import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { CardState } from '../../../../domain/card';
import { CardPanel } from '../../components/CardPanel';
import { PinEntry } from '../../components/PinEntry';
import { ErrorState, TriesDots } from '../../components/ui';
import { useApi } from '../../lib/api-context';
import { useCardState } from '../../lib/hooks';
import { BlockedNotice } from './BlockedNotice';
import { PukFlow } from './PukFlow';
import { useOutcome } from './use-outcome';

/** The card tab: the reader and its card as they are, then the PIN pad once a CPS card is in. */
export function CardSignIn() {
  const card = useCardState();
  const active = card?.readers.find((r) => r.name === card.activeReader);
  // A new card, or the card pulled: start over. Not when the card's identity arrives after its insertion: the
  // PIN pad shows as soon as the card is in, and digits typed meanwhile must stay.
  const cardIn = card?.status === 'present' || card?.status === 'busy';
  const cardKey = cardIn ? `in:${card?.activeReader ?? ''}:${active?.card?.atr ?? ''}` : (card?.status ?? '');
  return (
    <div className="signin-card">
      <CardPanel state={card} />
      <CardPin key={cardKey} card={card} />
    </div>
  );
}

/** The PIN, a wrong PIN with the tries left, a blocked PIN with its PUK steps, or a blocked account. */
function CardPin({ card }: { card: CardState | null }) {
  const { t } = useTranslation();
  const api = useApi();
  const [pin, setPin] = useState('');
  const [puk, setPuk] = useState(false);
  const { outcome, error, busy, attempt, reset } = useOutcome();
  const present = card?.status === 'present';
  const active = card?.readers.find((r) => r.name === card.activeReader);
  const isCps = active?.card && (active.card.kind === 'cps3' || active.card.kind === 'cps4');
  const pinBlocked = error === 'CARD_PIN_BLOCKED' || (present && card?.pinTriesLeft === 0);

  const submit = async () => {
    await attempt(() => api.card.verifyPinAndSignIn({ pin }));
    setPin('');
  };
  return (
    <>
      {present && isCps && !pinBlocked && outcome?.status !== 'blocked' && (
        <section className="panel" aria-label={t('signIn.pinTitle')}>
          <PinEntry
            value={pin}
            onChange={setPin}
            onSubmit={() => void submit()}
            busy={busy}
            label={t('signIn.pinLabel')}
            submitLabel={t('signIn.pinSubmit')}
          />
          {error === 'CARD_PIN_WRONG' && (
            <div className="state state-warn" role="alert" data-testid="pin-wrong">
              <div>
                <p className="state-title">{t('signIn.pinWrong')}</p>
                {card?.pinTriesLeft != null && <TriesDots left={card.pinTriesLeft} />}
                <p className="muted">{t('signIn.pinWrongHelp')}</p>
              </div>
            </div>
          )}
          {error && error !== 'CARD_PIN_WRONG' && <ErrorState code={error} compact />}
        </section>
      )}
      {present && pinBlocked && !puk && (
        <div className="state state-blocked" role="alert" data-testid="pin-blocked">
          <div>
            <p className="state-title">{t('signIn.pinBlocked')}</p>
            <p>{t('signIn.pinBlockedHelp')}</p>
            <Button className="button button-primary" onPress={() => setPuk(true)}>
              {t('signIn.pinBlockedAction')}
            </Button>
          </div>
        </div>
      )}
      {present && pinBlocked && puk && <PukFlow onDone={() => (setPuk(false), reset())} />}
      {outcome?.status === 'blocked' && <BlockedNotice outcome={outcome} />}
    </>
  );
}
