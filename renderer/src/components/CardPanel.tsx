import { useTranslation } from 'react-i18next';
import type { CardState } from '../../../domain/card';
import { ReaderPicture } from './ReaderPicture';
import { TriesDots } from './ui';

/** « CLAIRE » → « Claire », « JEAN-PIERRE » → « Jean-Pierre »: cards store first names in capitals. */
export const firstNameCase = (s: string) =>
  s
    .toLocaleLowerCase('fr')
    .replace(/(^|[\s'’-])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toLocaleUpperCase('fr'));

/** The reader with the card in its slot (or not), whose card it is, and the PIN tries left, live. */
export function CardPanel({ state }: { state: CardState | null }) {
  const { t } = useTranslation();
  const status = state?.status ?? 'starting';
  const active = state?.readers.find((r) => r.name === state.activeReader);
  const holder = active?.card?.holder;
  const kind = active?.card?.kind;
  const notCps = status === 'present' && (kind === 'vitale' || kind === 'unknown');
  return (
    <section className="panel card-panel" aria-labelledby="card-title" data-testid="card-panel">
      <h2 id="card-title" className="panel-title">
        {t('card.title')}
      </h2>
      <div className="card-panel-body">
        <ReaderPicture status={status} />
        <div>
          <p
            className="card-status"
            role="status"
            aria-live="polite"
            data-testid="card-status"
            data-status={status}
          >
            {holder
              ? t('card.holderCard', { name: `${firstNameCase(holder.firstName)} ${holder.lastName}` })
              : notCps
                ? t(`card.kind.${kind}`)
                : t(`card.status.${status}`)}
          </p>
          {holder && <p className="muted">{t('card.holderProfession', { profession: holder.profession })}</p>}
          <p className="muted">{notCps ? t('card.help.notCps') : t(`card.help.${status}`)}</p>
          {state?.pinTriesLeft != null && status === 'present' && <TriesDots left={state.pinTriesLeft} />}
          {active && <p className="muted small">{t('card.readerLabel', { name: active.name })}</p>}
        </div>
      </div>
    </section>
  );
}
