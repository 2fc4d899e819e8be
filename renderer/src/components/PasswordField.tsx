import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Result } from '../../../domain/result';

export interface PasswordCheck {
  acceptable: boolean;
  problems: string[];
  score: number;
  warning: string | null;
  suggestions: string[];
}

const KNOWN_PROBLEMS = [
  'too_short',
  'too_long',
  'missing_classes',
  'contains_identifier',
  'repeated_characters',
  'control_characters',
  'too_weak',
  'reused',
] as const;
type KnownProblem = (typeof KNOWN_PROBLEMS)[number];
const isKnownProblem = (p: string): p is KnownProblem => (KNOWN_PROBLEMS as readonly string[]).includes(p);

/**
 * The state of a new-password form: the password, its confirmation, the last strength check, and whether it can
 * be sent (typed twice the same, not refused by the check). `fields` goes to `NewPasswordFields`.
 */
export function useNewPassword() {
  const [value, setValue] = useState('');
  const [confirm, setConfirm] = useState('');
  const [check, setCheck] = useState<PasswordCheck | null>(null);
  return {
    value,
    ready: value !== '' && value === confirm && check?.acceptable !== false,
    clear: () => {
      setValue('');
      setConfirm('');
    },
    fields: { value, onChange: setValue, confirm, onConfirmChange: setConfirm, onCheck: setCheck },
  };
}

/**
 * A new password with its live strength meter and the policy in plain words. The strength comes from the core
 * (`checkPassword`): the dictionary stays out of the renderer.
 */
export function NewPasswordFields({
  check,
  value,
  onChange,
  confirm,
  onConfirmChange,
  onCheck,
}: {
  check: (password: string) => Promise<Result<PasswordCheck>>;
  value: string;
  onChange: (v: string) => void;
  confirm: string;
  onConfirmChange: (v: string) => void;
  onCheck?: (c: PasswordCheck | null) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [lastResult, setResult] = useState<PasswordCheck | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  useEffect(() => {
    if (!value) return;
    let alive = true;
    const timer = setTimeout(() => {
      void check(value).then((r) => {
        if (!alive) return;
        setUnavailable(!r.ok);
        setResult(r.ok ? r.value : null);
        onCheck?.(r.ok ? r.value : null);
      });
    }, 150);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value, check]);
  const result = value ? lastResult : null;
  const score = result?.score ?? 0;
  const levels = ['veryWeak', 'weak', 'fair', 'good', 'strong'] as const;
  const mismatch = confirm.length > 0 && confirm !== value;
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-new`}>{t('password.new')}</label>
        <input
          id={`${id}-new`}
          type="password"
          autoComplete="new-password"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={`${id}-policy ${id}-meter`}
          data-testid="new-password"
        />
      </div>
      <div id={`${id}-meter`} className="meter-wrap" aria-live="polite">
        <div
          className={`meter meter-${score}`}
          role="meter"
          aria-valuemin={0}
          aria-valuemax={4}
          aria-valuenow={score}
          aria-label={t('password.strength')}
          aria-valuetext={
            value ? t(`password.level.${levels[score] ?? 'veryWeak'}`) : t('password.level.empty')
          }
          data-testid="strength-meter"
          data-score={value ? score : -1}
        >
          {[0, 1, 2, 3].map((i) => (
            <span key={i} className={value && i < Math.max(score, 1) ? 'meter-seg meter-on' : 'meter-seg'} />
          ))}
        </div>
        <span className="small">
          {value ? t(`password.level.${levels[score] ?? 'veryWeak'}`) : t('password.level.empty')}
          {result?.acceptable && ` · ${t('password.acceptable')}`}
        </span>
        {unavailable && value && <span className="small muted"> · {t('password.checkUnavailable')}</span>}
        {result && result.problems.length > 0 && (
          <ul className="problems small" data-testid="password-problems">
            {result.problems.map((p) => (
              <li key={p}>{isKnownProblem(p) ? t(`password.problem.${p}`) : t('password.problem.other')}</li>
            ))}
          </ul>
        )}
      </div>
      <div id={`${id}-policy`} className="policy small">
        <p className="muted">{t('password.policy')}</p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-confirm`}>{t('password.confirm')}</label>
        <input
          id={`${id}-confirm`}
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => onConfirmChange(e.target.value)}
          aria-invalid={mismatch || undefined}
          aria-describedby={mismatch ? `${id}-mismatch` : undefined}
          data-testid="confirm-password"
        />
        {mismatch && (
          <p id={`${id}-mismatch`} className="field-error">
            {t('password.mismatch')}
          </p>
        )}
      </div>
    </>
  );
}
