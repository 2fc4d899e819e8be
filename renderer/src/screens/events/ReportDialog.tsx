import { useId, useState, type FormEvent } from 'react';
import { Button, Checkbox } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Case } from '../../../../domain/api/groups/events';
import type { VigieEvent } from '../../../../domain/backend-api/schemas';
import { CaseView } from '../../components/CaseView';
import { AppDialog, ErrorState } from '../../components/ui';
import { useApi, useShell } from '../../lib/api-context';
import { formatDateTime } from '../../lib/format';
import { useAction } from '../../lib/use-action';

/** « Je ne reconnais pas cette activité »: the report form, then the case it opened. */
export function ReportDialog({
  event,
  onClose,
  onReported,
}: {
  event: VigieEvent | null;
  onClose: () => void;
  onReported: (c: Case) => void;
}) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const shell = useShell();
  const id = useId();
  const [comment, setComment] = useState('');
  const [blockAccount, setBlock] = useState(false);
  const [result, setResult] = useState<Case | null>(null);
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!event) return;
    await action.run(
      () => api.events.report({ eventId: event.id, comment: comment.trim() || undefined, blockAccount }),
      (c) => {
        // the report may close this session too: the shell keeps the case on screen after sign-out
        shell.caseOpened(c);
        setResult(c);
        onReported(c);
      },
    );
  };
  return (
    <AppDialog
      isOpen={event !== null}
      onOpenChange={(o) => !o && onClose()}
      title={result ? t('report.doneTitle') : t('report.title')}
    >
      {result ? (
        <>
          <CaseView c={result} />
          <Button className="button button-primary" onPress={onClose} autoFocus>
            {t('common.close')}
          </Button>
        </>
      ) : (
        event && (
          <form className="form" onSubmit={(e) => void submit(e)}>
            <p>
              {t('report.about', {
                type: t(`eventType.${event.type}`),
                date: formatDateTime(event.at, i18n.language),
                workstation: event.workstationLabel ?? '—',
              })}
            </p>
            <p className="muted">{t('report.what')}</p>
            <div className="field">
              <label htmlFor={`${id}-c`}>{t('report.comment')}</label>
              <textarea
                id={`${id}-c`}
                rows={3}
                maxLength={1000}
                value={comment}
                onChange={(e) => setComment(e.target.value)}
              />
            </div>
            <Checkbox isSelected={blockAccount} onChange={setBlock} className="checkbox">
              <span className="checkbox-box" aria-hidden="true" />
              {t('report.block')}
            </Checkbox>
            {action.error && <ErrorState code={action.error} compact />}
            <div className="actions">
              <Button
                type="submit"
                className="button button-danger"
                isDisabled={action.busy}
                data-testid="report-submit"
              >
                {t('report.submit')}
              </Button>
              <Button className="button" onPress={onClose}>
                {t('common.cancel')}
              </Button>
            </div>
          </form>
        )
      )}
    </AppDialog>
  );
}
