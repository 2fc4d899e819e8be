import { Copy } from 'lucide-react';
import { useId, useState, type FormEvent } from 'react';
import { Button, Checkbox, Switch } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { WorkstationSettings } from '../../../domain/api/groups/settings';
import type { Result } from '../../../domain/result';
import { isAllowedBackendUrl } from '../../../domain/policy/backend-url';
import { BackendPanel } from '../components/BackendPanel';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { ThisWorkstationPanel } from '../components/Workstations';
import { ErrorState, Loading, Success } from '../components/ui';
import { useApi } from '../lib/api-context';
import { useBackendStatus, useCall, useCardState } from '../lib/hooks';
import { useAction } from '../lib/use-action';

const REMINDER_CHOICES = [30, 14, 7, 3, 1];

export function SettingsForm({
  initial,
  readers,
  onSave,
}: {
  initial: WorkstationSettings;
  readers: string[];
  onSave: (s: Partial<WorkstationSettings>) => Promise<Result<unknown>>;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [s, setS] = useState(initial);
  const [saved, setSaved] = useState(false);
  const { busy, error: err, run } = useAction();
  const set = <K extends keyof WorkstationSettings>(k: K, v: WorkstationSettings[K]) => {
    setSaved(false);
    setS((prev) => ({ ...prev, [k]: v }));
  };
  const urlOk = s.backendUrl === '' || (!/\s/.test(s.backendUrl) && isAllowedBackendUrl(s.backendUrl));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!urlOk) return;
    const { language: _l, ...rest } = s;
    const r = await run(() =>
      onSave({ ...rest, reminderDays: [...rest.reminderDays].sort((a, b) => b - a) }),
    );
    setSaved(r.ok);
  };
  const readerChoices = [...new Set([...readers, ...(s.readerName ? [s.readerName] : [])])];
  return (
    <form className="panel form" onSubmit={(e) => void submit(e)} data-testid="settings-form">
      <div className="field">
        <label htmlFor={`${id}-w`}>{t('settings.workstation')}</label>
        <input
          id={`${id}-w`}
          value={s.workstationLabel}
          maxLength={60}
          onChange={(e) => set('workstationLabel', e.target.value)}
          aria-describedby={`${id}-wh`}
        />
        <p id={`${id}-wh`} className="muted small">
          {t('settings.workstationHelp')}
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-b`}>{t('settings.backend')}</label>
        <input
          id={`${id}-b`}
          type="url"
          placeholder="https://"
          value={s.backendUrl}
          onChange={(e) => set('backendUrl', e.target.value.trim())}
          aria-invalid={!urlOk || undefined}
          aria-describedby={`${id}-bh`}
        />
        <p id={`${id}-bh`} className={urlOk ? 'muted small' : 'field-error'}>
          {urlOk ? t('settings.backendHelp') : t('settings.backendInvalid')}
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-r`}>{t('settings.reader')}</label>
        <select id={`${id}-r`} value={s.readerName} onChange={(e) => set('readerName', e.target.value)}>
          <option value="">{t('settings.readerAuto')}</option>
          {readerChoices.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="field">
        <legend>{t('settings.reminders')}</legend>
        <div className="checks-row">
          {REMINDER_CHOICES.map((d) => (
            <Checkbox
              key={d}
              className="checkbox"
              isSelected={s.reminderDays.includes(d)}
              onChange={(on) =>
                set('reminderDays', on ? [...s.reminderDays, d] : s.reminderDays.filter((x) => x !== d))
              }
            >
              <span className="checkbox-box" aria-hidden="true" />
              {t('settings.reminderDay', { count: d })}
            </Checkbox>
          ))}
        </div>
        <p className="muted small">{t('settings.remindersHelp')}</p>
      </fieldset>
      <Switch className="switch" isSelected={s.startAtLogin} onChange={(v) => set('startAtLogin', v)}>
        <span className="switch-track" aria-hidden="true">
          <span className="switch-thumb" />
        </span>
        {t('settings.startAtLogin')}
      </Switch>
      {err && <ErrorState code={err} compact />}
      {saved && <Success title={t('settings.saved')} />}
      <Button type="submit" className="button button-primary" isDisabled={busy || !urlOk}>
        {t('settings.save')}
      </Button>
    </form>
  );
}

function Diagnostics() {
  const { t } = useTranslation();
  const api = useApi();
  const [text, setText] = useState<string | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const { error: err, run } = useAction();
  const copy = async () => {
    const r = await run(() => api.settings.diagnostics());
    if (!r.ok) return;
    setText(r.value.text);
    try {
      await navigator.clipboard.writeText(r.value.text);
      setMsg(t('settings.copied'));
    } catch {
      setMsg(t('settings.copyManual'));
    }
  };
  return (
    <section className="panel" aria-labelledby="diag-title">
      <h2 id="diag-title" className="panel-title">
        {t('settings.diagnostics')}
      </h2>
      <p className="muted">{t('settings.diagnosticsHelp')}</p>
      <Button className="button" onPress={() => void copy()}>
        <Copy aria-hidden="true" size={20} /> {t('settings.copy')}
      </Button>
      {msg && (
        <p role="status" className="note">
          {msg}
        </p>
      )}
      {err && <ErrorState code={err} compact />}
      {text && (
        <textarea className="diag" readOnly value={text} aria-label={t('settings.diagnostics')} rows={6} />
      )}
    </section>
  );
}

export default function Settings() {
  const { t } = useTranslation();
  const api = useApi();
  const settings = useCall(() => api.settings.get(), [api]);
  const card = useCardState();
  const backend = useBackendStatus();
  return (
    <>
      <h1 className="page-title">{t('settings.title')}</h1>
      <section className="panel" aria-labelledby="lang-title">
        <h2 id="lang-title" className="panel-title">
          {t('app.language')}
        </h2>
        <LanguageSwitch />
      </section>
      {settings.status === 'loading' && <Loading />}
      {settings.status === 'error' && <ErrorState code={settings.code} onRetry={settings.reload} />}
      {settings.value && (
        <SettingsForm
          key={JSON.stringify(settings.value)}
          initial={settings.value}
          readers={card?.readers.map((r) => r.name) ?? []}
          onSave={(s) => api.settings.update(s)}
        />
      )}
      <ThisWorkstationPanel />
      <BackendPanel status={backend} />
      <Diagnostics />
    </>
  );
}
