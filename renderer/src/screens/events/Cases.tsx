import { useTranslation } from 'react-i18next';
import { CaseView } from '../../components/CaseView';
import { useApi } from '../../lib/api-context';
import { formatDateTime } from '../../lib/format';
import { useCall } from '../../lib/hooks';

/** The reports this person made, open ones unfolded; asked again when `refresh` changes. */
export function Cases({ refresh }: { refresh: number }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const cases = useCall(() => api.events.listCases(), [api, refresh]);
  if (!cases.value || cases.value.cases.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="cases-title" data-testid="cases">
      <h2 id="cases-title" className="panel-title">
        {t('report.casesTitle')}
      </h2>
      {cases.value.cases.map((c) => (
        <details key={c.id} className="case-item" open={c.status !== 'closed'}>
          <summary>
            {t('report.caseSummary', {
              date: formatDateTime(c.openedAt, i18n.language),
              status: t(`report.step.${c.status}`),
            })}
          </summary>
          <CaseView c={c} />
        </details>
      ))}
    </section>
  );
}
