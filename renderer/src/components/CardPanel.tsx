import { useTranslation } from 'react-i18next';
import type { CardState } from '../../../domain/card';
import { ReaderPicture } from './ReaderPicture';

export function CardPanel({ state }: { state: CardState | null }) {
  const { t } = useTranslation();
  const status = state?.status ?? 'starting';
  const active = state?.readers.find((r) => r.name === state.activeReader);
  const holder = active?.card?.holder;
  return (
    <section className="panel card-panel" aria-labelledby="card-title" data-testid="card-panel">
      <h2 id="card-title" className="panel-title">
        {t('card.title')}
      </h2>
      <div className="card-panel-body">
        <ReaderPicture status={status} />
        <div>
          <p className="card-status" role="status" aria-live="polite" data-testid="card-status" data-status={status}>
            {holder
              ? t('card.holderCard', { name: `${holder.firstName} ${holder.lastName}` })
              : t(`card.status.${status}`)}
          </p>
          {holder && <p className="muted">{t('card.holderProfession', { profession: holder.profession })}</p>}
          <p className="muted">{t(`card.help.${status}`)}</p>
          {state?.pinTriesLeft != null && (
            <p className="tries" data-testid="pin-tries">
              {t('card.triesLeft', { count: state.pinTriesLeft })}
            </p>
          )}
          {active && <p className="muted small">{t('card.readerLabel', { name: active.name })}</p>}
        </div>
      </div>
    </section>
  );
}
