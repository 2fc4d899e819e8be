import { useId } from 'react';

/**
 * A masked field of digits (PUK, new PIN): anything else typed or pasted is dropped, `length` at most. Its error,
 * if any, is said under it.
 */
export function SecretDigits({
  label,
  length,
  value,
  onChange,
  error,
}: {
  label: string;
  length: number;
  value: string;
  onChange: (digits: string) => void;
  error?: string | null;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="password"
        inputMode="numeric"
        autoComplete="off"
        maxLength={length}
        value={value}
        aria-invalid={error ? true : undefined}
        onChange={(e) => onChange(e.target.value.replace(/\D/g, ''))}
      />
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}
