import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'>;

/**
 * A labelled text input with its help under it and, when the value cannot be right, its error (said to screen
 * readers as the field's description). Other input attributes (type, autoComplete, data-testid…) pass through.
 */
export function TextField({
  label,
  value,
  onChange,
  help,
  error,
  ...input
}: InputProps & {
  label: string;
  value: string;
  onChange: (value: string) => void;
  help?: ReactNode;
  error?: string | null;
}) {
  const id = useId();
  const described = [help ? `${id}-h` : null, error ? `${id}-e` : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
        {...input}
      />
      {help && (
        <p id={`${id}-h`} className="muted small">
          {help}
        </p>
      )}
      {error && (
        <p id={`${id}-e`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
