import { useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { SignInOutcome } from '../../../../domain/api/groups/session';
import { TextField } from '../../components/TextField';
import { useApi, useShell } from '../../lib/api-context';
import { errorText } from '../../lib/errors';
import { useAppInfo } from '../../lib/hooks';
import { useAction } from '../../lib/use-action';

type Step = Extract<SignInOutcome, { status: 'second-step' }>;

/** The error of the last call, said calmly with what to do next. */
function ErrorNote({ code }: { code: string | null }) {
  const { t } = useTranslation();
  if (!code) return null;
  const words = errorText(t, code as Parameters<typeof errorText>[1]);
  return (
    <div className="state state-error state-compact" role="alert" data-testid="factor-error" data-code={code}>
      <div>
        <p className="state-title">{words.what}</p>
        <p className="muted">{words.next}</p>
      </div>
    </div>
  );
}

/** In the demo, mails land as files on this computer: a mailed code proves nothing there. */
function DemoMailNote() {
  const { t } = useTranslation();
  const info = useAppInfo();
  if (!info?.demo) return null;
  return (
    <p className="state state-info state-compact small" data-testid="factor-demo-note">
      {t('secondFactor.demoNote')}
    </p>
  );
}

/**
 * After the right password, when the account has a second factor or must enrol one: the code of the factor (or a
 * recovery code), or the enrolment (a code mailed to the dedicated address first).
 */
export function SecondStep({ step, onCancel }: { step: Step; onCancel: () => void }) {
  return step.purpose === 'verify' ? (
    <VerifyStep step={step} onCancel={onCancel} />
  ) : (
    <Enrolment step={step} onCancel={onCancel} />
  );
}

function VerifyStep({ step, onCancel }: { step: Step; onCancel: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const shell = useShell();
  const action = useAction();
  const main = step.methods[0] === 'email' ? 'email' : 'totp';
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const method = recovery ? 'recovery' : main;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!code.trim()) return;
    await action.run(
      () => api.session.submitSecondFactor({ method, code: code.trim() }),
      (o) => {
        if (o.status === 'signed-in') shell.sessionChanged(o.session);
      },
    );
    setCode('');
  };
  const send = () =>
    action.run(
      () => api.session.sendFactorCode(),
      (v) => setSentTo(v.mailTo),
    );
  return (
    <form className="form" onSubmit={(e) => void submit(e)} data-testid="second-step">
      <h2>{t('secondFactor.verifyTitle')}</h2>
      <p>
        {t(recovery ? 'secondFactor.recoveryIntro' : `secondFactor.intro.${main}`, { mailTo: step.mailTo })}
      </p>
      {main === 'email' && !recovery && (
        <>
          <DemoMailNote />
          <div className="actions">
            <Button className="button" onPress={() => void send()} isDisabled={action.busy}>
              {t(sentTo ? 'secondFactor.resend' : 'secondFactor.send')}
            </Button>
          </div>
          {sentTo && (
            <p role="status" data-testid="factor-code-sent">
              {t('secondFactor.sent', { mailTo: sentTo })}
            </p>
          )}
        </>
      )}
      <TextField
        label={t(recovery ? 'secondFactor.recoveryLabel' : 'secondFactor.codeLabel')}
        value={code}
        onChange={setCode}
        autoComplete="one-time-code"
        inputMode={recovery ? 'text' : 'numeric'}
        data-testid="factor-code"
      />
      <ErrorNote code={action.error} />
      <div className="actions">
        <Button type="submit" className="button button-primary" isDisabled={action.busy || !code.trim()}>
          {t('secondFactor.submit')}
        </Button>
        <Button className="link" onPress={() => (setRecovery(!recovery), setCode(''))}>
          {t(recovery ? `secondFactor.useMain.${main}` : 'secondFactor.useRecovery')}
        </Button>
        <Button className="link" onPress={onCancel}>
          {t('secondFactor.cancel')}
        </Button>
      </div>
    </form>
  );
}

type Stage =
  { name: 'mail' } | { name: 'app'; secret: string; qrSvg: string } | { name: 'codes'; codes: string[] };

/** Enrolment: the mailed code proves the mailbox; an app (QR code and key) or the e-mail; ten recovery codes, once. */
function Enrolment({ step, onCancel }: { step: Step; onCancel: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const shell = useShell();
  const action = useAction();
  const [stage, setStage] = useState<Stage>({ name: 'mail' });
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [mailCode, setMailCode] = useState('');
  const [appCode, setAppCode] = useState('');
  const [noted, setNoted] = useState(false);
  const send = () =>
    action.run(
      () => api.session.sendFactorCode(),
      (v) => setSentTo(v.mailTo),
    );
  const toApp = () =>
    action.run(
      () => api.session.startTotpEnrolment({ mailCode: mailCode.trim() }),
      (v) => setStage({ name: 'app', ...v }),
    );
  const byMail = () =>
    action.run(
      () => api.session.confirmEnrolment({ kind: 'email', code: mailCode.trim() }),
      (v) => setStage({ name: 'codes', codes: v.recoveryCodes }),
    );
  const confirmApp = (e: FormEvent) => {
    e.preventDefault();
    void action.run(
      () => api.session.confirmEnrolment({ kind: 'totp', code: appCode.trim() }),
      (v) => setStage({ name: 'codes', codes: v.recoveryCodes }),
    );
  };
  const finish = () =>
    action.run(
      () => api.session.finishEnrolment(),
      (o) => {
        if (o.status === 'signed-in') shell.sessionChanged(o.session);
      },
    );

  if (stage.name === 'codes')
    return (
      <section className="form" data-testid="recovery-codes" aria-labelledby="recovery-title">
        <h2 id="recovery-title">{t('secondFactor.codesTitle')}</h2>
        <p>{t('secondFactor.codesIntro')}</p>
        <ol className="recovery-codes">
          {stage.codes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ol>
        <label className="checkbox">
          <input type="checkbox" checked={noted} onChange={(e) => setNoted(e.target.checked)} />{' '}
          {t('secondFactor.codesNoted')}
        </label>
        <ErrorNote code={action.error} />
        <div className="actions">
          <Button
            className="button button-primary"
            onPress={() => void finish()}
            isDisabled={!noted || action.busy}
          >
            {t('secondFactor.continue')}
          </Button>
        </div>
      </section>
    );

  if (stage.name === 'app')
    return (
      <form className="form" onSubmit={confirmApp} data-testid="enrol-app">
        <h2>{t('secondFactor.appTitle')}</h2>
        <p>{t('secondFactor.appIntro')}</p>
        <img
          className="qr"
          src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(stage.qrSvg)}`}
          alt={t('secondFactor.qrAlt')}
          width={200}
          height={200}
          data-testid="enrol-qr"
        />
        <p>
          {t('secondFactor.keyLabel')}{' '}
          <code data-testid="enrol-key">{stage.secret.replace(/(.{4})/g, '$1 ').trim()}</code>
        </p>
        <TextField
          label={t('secondFactor.firstCode')}
          value={appCode}
          onChange={setAppCode}
          autoComplete="one-time-code"
          inputMode="numeric"
          data-testid="enrol-first-code"
        />
        <ErrorNote code={action.error} />
        <div className="actions">
          <Button type="submit" className="button button-primary" isDisabled={action.busy || !appCode.trim()}>
            {t('secondFactor.confirm')}
          </Button>
        </div>
      </form>
    );

  return (
    <section className="form" data-testid="enrol-mail" aria-labelledby="enrol-title">
      <h2 id="enrol-title">{t('secondFactor.enrolTitle')}</h2>
      <p>{t('secondFactor.enrolIntro', { mailTo: step.mailTo })}</p>
      <DemoMailNote />
      <div className="actions">
        <Button className="button" onPress={() => void send()} isDisabled={action.busy}>
          {t(sentTo ? 'secondFactor.resend' : 'secondFactor.send')}
        </Button>
      </div>
      {sentTo && (
        <p role="status" data-testid="factor-code-sent">
          {t('secondFactor.sent', { mailTo: sentTo })}
        </p>
      )}
      <TextField
        label={t('secondFactor.mailCodeLabel')}
        value={mailCode}
        onChange={setMailCode}
        autoComplete="one-time-code"
        inputMode="numeric"
        data-testid="enrol-mail-code"
      />
      <ErrorNote code={action.error} />
      <div className="actions">
        <Button
          className="button button-primary"
          onPress={() => void toApp()}
          isDisabled={action.busy || !mailCode.trim()}
        >
          {t('secondFactor.chooseApp')}
        </Button>
        <Button className="button" onPress={() => void byMail()} isDisabled={action.busy || !mailCode.trim()}>
          {t('secondFactor.chooseMail')}
        </Button>
        <Button className="link" onPress={onCancel}>
          {t('secondFactor.cancel')}
        </Button>
      </div>
    </section>
  );
}
