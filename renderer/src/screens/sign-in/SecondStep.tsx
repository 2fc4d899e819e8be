import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { SignInOutcome } from '../../../../domain/api/groups/session';
import { useApi, useShell } from '../../lib/api-context';
import { useAppInfo } from '../../lib/hooks';
import { useAction, type Action } from '../../lib/use-action';
import { CodeForm, ErrorNote } from './CodeForm';

type Step = Extract<SignInOutcome, { status: 'second-step' }>;

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

/** The button that mails a code to the dedicated address, and where it went once sent. */
function MailCodeSender({ action }: { action: Action }) {
  const { t } = useTranslation();
  const api = useApi();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const send = () =>
    action.run(
      () => api.session.sendFactorCode(),
      (v) => setSentTo(v.mailTo),
    );
  return (
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
  const method = recovery ? 'recovery' : main;
  const submit = async (typed: string) => {
    const r = await action.run(
      () => api.session.submitSecondFactor({ method, code: typed }),
      (o) => {
        if (o.status === 'signed-in') shell.sessionChanged(o.session);
      },
    );
    setCode('');
    return r;
  };
  return (
    <CodeForm
      testId="second-step"
      title={t('secondFactor.verifyTitle')}
      intro={t(recovery ? 'secondFactor.recoveryIntro' : `secondFactor.intro.${main}`, {
        mailTo: step.mailTo,
      })}
      label={t(recovery ? 'secondFactor.recoveryLabel' : 'secondFactor.codeLabel')}
      code={code}
      onCode={setCode}
      inputMode={recovery ? 'text' : 'numeric'}
      fieldTestId="factor-code"
      error={action.error}
      busy={action.busy}
      submitLabel={t('secondFactor.submit')}
      onSubmit={submit}
      more={() => (
        <>
          <Button className="link" onPress={() => (setRecovery(!recovery), setCode(''))}>
            {t(recovery ? `secondFactor.useMain.${main}` : 'secondFactor.useRecovery')}
          </Button>
          <Button className="link" onPress={onCancel}>
            {t('secondFactor.cancel')}
          </Button>
        </>
      )}
    >
      {main === 'email' && !recovery && <MailCodeSender action={action} />}
    </CodeForm>
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
  const [mailCode, setMailCode] = useState('');
  const [appCode, setAppCode] = useState('');
  const [noted, setNoted] = useState(false);
  const toApp = (code: string) =>
    action.run(
      () => api.session.startTotpEnrolment({ mailCode: code }),
      (v) => setStage({ name: 'app', ...v }),
    );
  const byMail = () =>
    action.run(
      () => api.session.confirmEnrolment({ kind: 'email', code: mailCode.trim() }),
      (v) => setStage({ name: 'codes', codes: v.recoveryCodes }),
    );
  const confirmApp = (code: string) =>
    action.run(
      () => api.session.confirmEnrolment({ kind: 'totp', code }),
      (v) => setStage({ name: 'codes', codes: v.recoveryCodes }),
    );
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
      <CodeForm
        testId="enrol-app"
        title={t('secondFactor.appTitle')}
        intro={t('secondFactor.appIntro')}
        label={t('secondFactor.firstCode')}
        code={appCode}
        onCode={setAppCode}
        fieldTestId="enrol-first-code"
        error={action.error}
        busy={action.busy}
        submitLabel={t('secondFactor.confirm')}
        onSubmit={confirmApp}
      >
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
      </CodeForm>
    );

  return (
    <CodeForm
      testId="enrol-mail"
      title={t('secondFactor.enrolTitle')}
      intro={t('secondFactor.enrolIntro', { mailTo: step.mailTo })}
      label={t('secondFactor.mailCodeLabel')}
      code={mailCode}
      onCode={setMailCode}
      fieldTestId="enrol-mail-code"
      error={action.error}
      busy={action.busy}
      submitLabel={t('secondFactor.chooseApp')}
      onSubmit={toApp}
      more={(track) => (
        <>
          <Button
            className="button"
            onPress={() => track(byMail())}
            isDisabled={action.busy || !mailCode.trim()}
          >
            {t('secondFactor.chooseMail')}
          </Button>
          <Button className="link" onPress={onCancel}>
            {t('secondFactor.cancel')}
          </Button>
        </>
      )}
    >
      <MailCodeSender action={action} />
    </CodeForm>
  );
}
