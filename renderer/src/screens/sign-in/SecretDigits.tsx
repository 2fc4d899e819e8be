import { TextField } from '../../components/TextField';

/** A masked field of digits (PUK, new PIN): anything else typed or pasted is dropped, `length` at most. */
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
  return (
    <TextField
      label={label}
      type="password"
      inputMode="numeric"
      autoComplete="off"
      maxLength={length}
      value={value}
      onChange={(v) => onChange(v.replace(/\D/g, ''))}
      error={error}
    />
  );
}
