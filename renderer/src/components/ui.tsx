import { AlertTriangle, CheckCircle2, CloudOff, Inbox, Loader2 } from 'lucide-react';
import type { ReactNode } from 'react';
import { Button, Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Urgency } from '../../../domain/api/groups/reminders';
import type { ErrorCode } from '../../../domain/errors';
import { errorText } from '../lib/errors';
import { formatTime } from '../lib/format';

export function StatusBadge({ urgency, children }: { urgency: Urgency; children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-${urgency}`} data-testid="status-badge" data-urgency={urgency}>
      {children ?? t(`status.${urgency}`)}
    </span>
  );
}

export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <Loader2 className="spin" aria-hidden="true" size={24} />
      <span>{label ?? t('common.loading')}</span>
    </div>
  );
}

export function ErrorState({
  code,
  onRetry,
  compact,
}: {
  code: ErrorCode | null;
  onRetry?: () => void;
  compact?: boolean;
}) {
  const { t } = useTranslation();
  const { what, next } = errorText(t, code);
  return (
    <div
      className={`state state-error${compact ? ' state-compact' : ''}`}
      role="alert"
      data-testid="error-state"
      data-code={code ?? ''}
    >
      <AlertTriangle aria-hidden="true" size={24} />
      <div>
        <p className="state-title">{what}</p>
        <p className="muted">{next}</p>
        {onRetry && (
          <Button className="button" onPress={onRetry}>
            {t('common.retry')}
          </Button>
        )}
      </div>
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" data-testid="empty-state">
      <Inbox aria-hidden="true" size={24} />
      <div>
        <p className="state-title">{title}</p>
        {children}
      </div>
    </div>
  );
}

/** The data shown is the last known; the server did not answer since. */
export function StaleNote({ at }: { at: string }) {
  const { t, i18n } = useTranslation();
  return (
    <p className="note note-offline" role="status" data-testid="stale-note">
      <CloudOff aria-hidden="true" size={18} />
      {t('common.stale', { time: formatTime(at, i18n.language) })}
    </p>
  );
}

export function Success({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-success" role="status">
      <CheckCircle2 aria-hidden="true" size={24} />
      <div>
        <p className="state-title">{title}</p>
        {children}
      </div>
    </div>
  );
}

/** The PIN tries left as dots (UX.md "Card"). */
export function TriesDots({ left, max = 3 }: { left: number; max?: number }) {
  const { t } = useTranslation();
  return (
    <span className="tries-dots" data-testid="pin-tries-dots" data-left={left}>
      <span className="dots" aria-hidden="true">
        {Array.from({ length: max }, (_, i) => (
          <span key={i} className={i < left ? 'dot dot-on' : 'dot'} />
        ))}
      </span>
      <span data-testid="pin-tries">{t('card.triesLeft', { count: left })}</span>
    </span>
  );
}

export interface Step {
  id: string;
  label: string;
  detail?: string;
  state: 'done' | 'current' | 'todo';
}
/** Steps as a horizontal journey (the letter's journey, the case status). */
export function Steps({ steps, label }: { steps: Step[]; label: string }) {
  const { t } = useTranslation();
  return (
    <ol className="steps" aria-label={label}>
      {steps.map((s) => (
        <li
          key={s.id}
          className={`step step-${s.state}`}
          aria-current={s.state === 'current' ? 'step' : undefined}
          data-step={s.id}
        >
          <span className="step-mark" aria-hidden="true" />
          <span className="step-label">
            {s.label}
            <span className="visually-hidden"> ({t(`common.step.${s.state}`)})</span>
          </span>
          {s.detail && <span className="step-detail muted small">{s.detail}</span>}
        </li>
      ))}
    </ol>
  );
}

/** A modal dialog: Escape closes it, focus stays inside, the title names it. */
export function AppDialog({
  isOpen,
  onOpenChange,
  title,
  children,
  dismissable = true,
  role = 'dialog',
}: {
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  children: ReactNode;
  dismissable?: boolean;
  role?: 'dialog' | 'alertdialog';
}) {
  return (
    <ModalOverlay
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      isDismissable={dismissable}
      className="modal-overlay"
    >
      <Modal className="modal">
        <Dialog className="dialog" role={role}>
          <Heading slot="title" className="dialog-title">
            {title}
          </Heading>
          {children}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}

/**
 * "Are you sure?" before an action that cannot be undone (withdraw access, withdraw a workstation): what will
 * happen, the error if it failed, the action in red, and Cancel focused so a stray Enter does nothing.
 */
export function ConfirmDialog({
  isOpen,
  title,
  body,
  confirmLabel,
  error,
  busy = false,
  onConfirm,
  onCancel,
}: {
  isOpen: boolean;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  error: ErrorCode | null;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  return (
    <AppDialog isOpen={isOpen} onOpenChange={(o) => !o && onCancel()} title={title} role="alertdialog">
      <p>{body}</p>
      {error && <ErrorState code={error} compact />}
      <div className="actions">
        <Button className="button button-danger" onPress={onConfirm} isDisabled={busy}>
          {confirmLabel}
        </Button>
        <Button className="button" onPress={onCancel} autoFocus>
          {t('common.cancel')}
        </Button>
      </div>
    </AppDialog>
  );
}
