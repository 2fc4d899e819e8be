import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { ErrorCode } from '../../../../domain/errors';
import { DEFAULT_ACCOUNT_THROTTLE } from '../../../../domain/policy/throttle';
import type { Result } from '../../../../domain/result';
import { TextField } from '../../components/TextField';
import { errorText } from '../../lib/errors';

/** The error of the last call, said calmly with what to do next. */
export function ErrorNote({ code }: { code: ErrorCode | null }) {
  const { t } = useTranslation();
  if (!code) return null;
  const words = errorText(t, code);
  return (
    <div className="state state-error state-compact" role="alert" data-testid="factor-error" data-code={code}>
      <div>
        <p className="state-title">{words.what}</p>
        <p className="muted">{words.next}</p>
      </div>
    </div>
  );
}

/**
 * A refused code, in a code's words (the backend's one answer to a wrong, expired, spent or throttled code, so that it
 * tells a guesser nothing). After the sign-in throttle's free tries each next code waits longer, up to a pause after
 * its last step: past those tries the note says so, and that the account is not blocked.
 */
function CodeNote({ code, refused }: { code: ErrorCode | null; refused: number }) {
  const { t } = useTranslation();
  if (code !== 'INVALID_CREDENTIALS') return <ErrorNote code={code} />;
  const slowed = refused >= DEFAULT_ACCOUNT_THROTTLE.freeFailures;
  return (
    <div
      className="state state-error state-compact"
      role="alert"
      data-testid="factor-error"
      data-code={code}
      data-slowed={slowed}
    >
      <div>
        <p className="state-title">
          {t(slowed ? 'secondFactor.slowed.what' : 'secondFactor.wrongCode.what')}
        </p>
        <p className="muted">
          {slowed
            ? t('secondFactor.slowed.next', {
                lockAfter: DEFAULT_ACCOUNT_THROTTLE.lockAfter,
                lockMinutes: DEFAULT_ACCOUNT_THROTTLE.lockMs / 60_000,
              })
            : t('secondFactor.wrongCode.next')}
        </p>
      </div>
    </div>
  );
}

/**
 * One code to type, of the second step or of an enrolment: a title, what the code is, anything the code needs
 * first (a button that mails it, a QR code), the field, the last error, and the button that sends it (Enter too).
 * The button waits for a code and for the previous call's answer.
 */
export function CodeForm({
  testId,
  title,
  intro,
  children,
  label,
  code,
  onCode,
  inputMode = 'numeric',
  fieldTestId,
  error,
  busy,
  submitLabel,
  onSubmit,
  more,
}: {
  testId: string;
  title: string;
  intro: ReactNode;
  /** What comes between the intro and the field. */
  children?: ReactNode;
  label: string;
  code: string;
  onCode: (code: string) => void;
  inputMode?: 'numeric' | 'text';
  fieldTestId: string;
  error: ErrorCode | null;
  busy: boolean;
  submitLabel: string;
  /** Called with a code that is not blank; answers the call's result. */
  onSubmit: (code: string) => Promise<Result<unknown>>;
  /** The other buttons, after the one that sends the code; `track` counts a code they send. */
  more?: (track: (attempt: Promise<Result<unknown>>) => void) => ReactNode;
}) {
  const titleId = useId();
  // Codes refused in a row on this form (the throttle counts per step and per workstation).
  const [refused, setRefused] = useState(0);
  const track = (attempt: Promise<Result<unknown>>) =>
    void attempt.then((r) => setRefused((n) => (r.ok ? 0 : r.code === 'INVALID_CREDENTIALS' ? n + 1 : n)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (code.trim()) track(onSubmit(code.trim()));
  };
  return (
    <form className="form" onSubmit={submit} data-testid={testId} aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      <p>{intro}</p>
      {children}
      <TextField
        label={label}
        value={code}
        onChange={onCode}
        autoComplete="one-time-code"
        inputMode={inputMode}
        data-testid={fieldTestId}
      />
      <CodeNote code={error} refused={refused} />
      <div className="actions">
        <Button type="submit" className="button button-primary" isDisabled={busy || !code.trim()}>
          {submitLabel}
        </Button>
        {more?.(track)}
      </div>
    </form>
  );
}
