import { useTranslation } from 'react-i18next';
import type { Case } from '../../../domain/api/groups/events';
import { formatDateTime } from '../lib/format';
import { Steps, type Step } from './ui';

const CASE_STEPS = ['received', 'secured', 'closed'] as const;

/** A report's case: its status as steps, what Vigie did, what to do next (UX.md "Reports"). */
export function CaseView({ c }: { c: Case }) {
  const { t, i18n } = useTranslation();
  const reached = CASE_STEPS.indexOf(c.status);
  const steps: Step[] = CASE_STEPS.map((s, i) => {
    const at = c.steps.find((x) => x.status === s)?.at;
    return {
      id: s,
      label: t(`report.step.${s}`),
      detail: at ? formatDateTime(at, i18n.language) : undefined,
      state: i < reached || c.status === 'closed' ? 'done' : i === reached ? 'current' : 'todo',
    };
  });
  return (
    <div className="case" data-testid="case" data-status={c.status}>
      <Steps steps={steps} label={t('report.statusLabel')} />
      <h3 className="subhead">{t('report.didTitle')}</h3>
      <ul className="did">
        {c.actions.map((a) => (
          <li key={a} data-action={a}>
            {t(`report.action.${a}`)}
          </li>
        ))}
        {c.actions.length === 0 && <li>{t('report.action.none')}</li>}
      </ul>
      <h3 className="subhead">{t('report.nextTitle')}</h3>
      <p>{c.advice}</p>
      {!c.advice.includes('36 08') && <p className="muted">{t('report.phone')}</p>}
    </div>
  );
}
