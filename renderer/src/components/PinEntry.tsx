import { Delete } from 'lucide-react';
import { useId, useRef, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';

/**
 * The card PIN: typed on the keyboard or on the on-screen pad, always masked. Enter submits.
 * The PIN lives only in this component's state until it is sent once; it is cleared after every try.
 */
export function PinEntry({
  value,
  onChange,
  onSubmit,
  busy,
  length = 4,
  label,
  submitLabel,
  autoFocus = true,
  testId = 'pin',
}: {
  value: string;
  onChange: (v: string) => void;
  onSubmit: () => void;
  busy?: boolean;
  length?: number;
  label: string;
  submitLabel: string;
  autoFocus?: boolean;
  testId?: string;
}) {
  const { t } = useTranslation();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const add = (d: string) => {
    if (value.length < length) onChange(value + d);
    input.current?.focus();
  };
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (value.length === length && !busy) onSubmit();
  };
  return (
    <form className="pin-entry" onSubmit={submit}>
      <label htmlFor={id} className="pin-label">
        {label}
      </label>
      <input
        ref={input}
        id={id}
        className="pin-input"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        pattern="[0-9]*"
        maxLength={length}
        value={value}
        autoFocus={autoFocus}
        onChange={(e) => onChange(e.target.value.replace(/[^0-9]/g, '').slice(0, length))}
        aria-describedby={`${id}-hint`}
        data-testid={`${testId}-input`}
      />
      <span id={`${id}-hint`} className="visually-hidden">
        {t('pin.hint', { count: length })}
      </span>
      <div className="pin-dots" aria-hidden="true">
        {Array.from({ length }, (_, i) => (
          <span key={i} className={i < value.length ? 'pin-dot pin-dot-on' : 'pin-dot'} />
        ))}
      </div>
      <div className="pin-pad" role="group" aria-label={t('pin.pad')}>
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
          <Button
            key={d}
            className="button pin-key"
            onPress={() => add(d)}
            isDisabled={busy}
            excludeFromTabOrder
          >
            {d}
          </Button>
        ))}
        <Button
          className="button pin-key"
          onPress={() => onChange(value.slice(0, -1))}
          isDisabled={busy || !value}
          aria-label={t('pin.erase')}
          excludeFromTabOrder
        >
          <Delete aria-hidden="true" size={20} />
        </Button>
        <Button
          className="button pin-key pin-zero"
          onPress={() => add('0')}
          isDisabled={busy}
          excludeFromTabOrder
        >
          0
        </Button>
        <Button
          type="submit"
          className="button button-primary pin-key pin-submit"
          isDisabled={busy || value.length !== length}
          data-testid={`${testId}-submit`}
        >
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
