import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EventFilters } from '../../../../domain/api/groups/events';
import { AuthMethodSchema, EVENT_TYPES, OutcomeSchema } from '../../../../domain/backend-api/schemas';
import { frenchDayToInstant, instantToFrenchDay } from '../../../../domain/policy/day-filter';
import { TextField } from '../../components/TextField';

/** One filter among fixed values; the empty choice means « all ». */
function FilterSelect<V extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: V | undefined;
  options: readonly (readonly [V, string])[];
  onChange: (v: V | undefined) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value === '' ? undefined : (e.target.value as V))}
      >
        <option value="">{t('events.all')}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * A day typed as « jj/mm/aaaa » (the browser's date input follows the system's locale, not the app's language).
 * The filter changes once the text is a real date, or when it is emptied; the bounds are Paris days.
 */
export function DayField({
  label,
  value,
  end,
  onChange,
}: {
  label: string;
  value: string | undefined;
  end: boolean;
  onChange: (iso: string | undefined) => void;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => (value ? instantToFrenchDay(value) : ''));
  const invalid = text.trim() !== '' && frenchDayToInstant(text, end) === null;
  const type = (next: string) => {
    setText(next);
    const iso = next.trim() === '' ? undefined : frenchDayToInstant(next, end);
    if (iso !== null && iso !== value) onChange(iso);
  };
  return (
    <TextField
      label={label}
      inputMode="numeric"
      autoComplete="off"
      maxLength={10}
      placeholder={t('events.datePlaceholder')}
      value={text}
      onChange={type}
      error={invalid ? t('events.dateInvalid') : null}
    />
  );
}

/** The log's filters: type, method, outcome, workstation, and a period. */
export function Filters({
  value,
  onChange,
  workstations,
}: {
  value: EventFilters;
  onChange: (f: EventFilters) => void;
  workstations: Map<string, string>;
}) {
  const { t } = useTranslation();
  const set =
    <K extends keyof EventFilters>(k: K) =>
    (v: EventFilters[K] | undefined) =>
      onChange({ ...value, [k]: v });
  return (
    <fieldset className="filters">
      <legend className="visually-hidden">{t('events.filters')}</legend>
      <FilterSelect
        label={t('events.col.type')}
        value={value.type}
        options={EVENT_TYPES.map((x) => [x, t(`eventType.${x}`)] as const)}
        onChange={set('type')}
      />
      <FilterSelect
        label={t('events.col.method')}
        value={value.method}
        options={AuthMethodSchema.options.map((x) => [x, t(`method.${x}`)] as const)}
        onChange={set('method')}
      />
      <FilterSelect
        label={t('events.col.outcome')}
        value={value.outcome}
        options={OutcomeSchema.options.map((x) => [x, t(`outcome.${x}`)] as const)}
        onChange={set('outcome')}
      />
      <FilterSelect
        label={t('events.col.workstation')}
        value={value.workstationId}
        options={[...workstations]}
        onChange={set('workstationId')}
      />
      <DayField label={t('events.from')} value={value.from} end={false} onChange={set('from')} />
      <DayField label={t('events.to')} value={value.to} end onChange={set('to')} />
    </fieldset>
  );
}
