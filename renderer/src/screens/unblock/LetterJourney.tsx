import { useEffect, useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { PostalState } from '../../../../domain/api/groups/unblock';
import { Steps, type Step } from '../../components/ui';
import { useApi } from '../../lib/api-context';
import { formatDate } from '../../lib/format';

const RANK: Record<PostalState['status'], number> = {
  none: -1,
  requested: 0,
  printed: 1,
  'in-post': 2,
  expected: 2,
  used: 4,
  expired: 4,
};

/** The letter's journey as steps: requested → printed → in the post → to type before <date>. */
export function LetterJourney({ state }: { state: PostalState }) {
  const { t, i18n } = useTranslation();
  const d = (iso: string | null) => (iso ? formatDate(iso, i18n.language) : undefined);
  const r = RANK[state.status];
  const st = (i: number): Step['state'] => (r > i ? 'done' : r === i ? 'current' : 'todo');
  const steps: Step[] = [
    {
      id: 'requested',
      label: t('unblock.postal.step.requested'),
      detail: d(state.requestedAt),
      state: st(0),
    },
    { id: 'printed', label: t('unblock.postal.step.printed'), detail: d(state.printedAt), state: st(1) },
    {
      id: 'in-post',
      label: t('unblock.postal.step.inPost'),
      detail: state.expectedBy ? t('unblock.postal.expectedBy', { date: d(state.expectedBy) }) : undefined,
      state: st(2),
    },
    {
      id: 'type',
      label: state.expiresAt
        ? t('unblock.postal.step.typeBefore', { date: d(state.expiresAt) })
        : t('unblock.postal.step.type'),
      state: r >= 2 && r < 4 ? 'current' : r === 4 ? 'done' : 'todo',
    },
  ];
  return <Steps steps={steps} label={t('unblock.postal.journey')} />;
}

/** The letter this workstation asked for, if any: its journey and the way to type its code. */
export function LetterOnThisWorkstation({ identifier, onOpen }: { identifier: string; onOpen: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [state, setState] = useState<PostalState | null>(null);
  useEffect(() => {
    let live = true;
    void api.unblock.postalState({ identifier }).then((r) => live && r.ok && setState(r.value));
    return () => {
      live = false;
    };
  }, [api, identifier]);
  if (!state || state.status === 'none' || state.status === 'used' || state.status === 'expired') return null;
  return (
    <div className="letter-here" data-testid="letter-here">
      <h3 className="path-title">{t('unblock.letterHere.title')}</h3>
      <LetterJourney state={state} />
      {state.reference && (
        <p className="muted small">{t('unblock.postal.reference', { reference: state.reference })}</p>
      )}
      <Button className="button button-primary" onPress={onOpen}>
        {t('unblock.letterHere.go')}
      </Button>
    </div>
  );
}
