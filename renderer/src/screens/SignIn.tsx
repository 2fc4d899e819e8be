import { CloudOff, CreditCard, Info, KeyRound, Smartphone } from 'lucide-react';
import { useId, useState, type FormEvent } from 'react';
import { Button, Checkbox, Tab, TabList, TabPanel, Tabs } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { EcpsState, RememberState, SignInOutcome } from '../../../domain/api/groups/session';
import type { CardState } from '../../../domain/card';
import type { ErrorCode } from '../../../domain/errors';
import type { Result } from '../../../domain/result';
import { CardPanel } from '../components/CardPanel';
import { PinEntry } from '../components/PinEntry';
import { ErrorState, Success, TriesDots } from '../components/ui';
import { useApi, useShell } from '../lib/api-context';
import { errorText } from '../lib/errors';
import { formatTime } from '../lib/format';
import { useBackendStatus, useCardState, useEcpsState, useSessionState } from '../lib/hooks';

type Blocked = Extract<SignInOutcome, { status: 'blocked' }>;

/** Where the unblock wizard starts from, carried through the router state. */
export interface UnblockStart {
  identifier?: string | null;
  reason?: Blocked['reason'];
  explanation?: string;
  paths?: Blocked['unblockPaths'];
}

/** A blocked account is a situation with a way out, shown on the same screen (UX.md). */
export function BlockedNotice({ outcome }: { outcome: Blocked }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const start: UnblockStart = {
    identifier: outcome.identifier,
    reason: outcome.reason,
    explanation: outcome.explanation,
    paths: outcome.unblockPaths,
  };
  return (
    <div
      className="state state-blocked"
      role="alert"
      data-testid="blocked-notice"
      data-reason={outcome.reason}
    >
      <div>
        <p className="state-title">{t(`signIn.blocked.${outcome.reason}`)}</p>
        <p>{t(`signIn.blocked.${outcome.reason}Help`)}</p>
        <Button className="button button-primary" onPress={() => navigate('/unblock', { state: start })}>
          {t('signIn.blocked.action')}
        </Button>
      </div>
    </div>
  );
}

function useOutcome() {
  const shell = useShell();
  const [outcome, setOutcome] = useState<SignInOutcome | null>(null);
  const [error, setError] = useState<ErrorCode | null>(null);
  const take = (r: Result<SignInOutcome>) => {
    if (r.ok) {
      setOutcome(r.value);
      setError(null);
      if (r.value.status === 'signed-in') shell.sessionChanged(r.value.session);
    } else {
      setOutcome(null);
      setError(r.code);
    }
  };
  return { outcome, error, take, reset: () => (setOutcome(null), setError(null)) };
}

/** Card PIN blocked (needs the PUK): the card's problem, not the account's. Steps with the 8-digit PUK. */
export function PukFlow({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [puk, setPuk] = useState('');
  const [pin, setPin] = useState('');
  const [pin2, setPin2] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorCode | null>(null);
  const [done, setDone] = useState(false);
  const mismatch = pin2.length > 0 && pin !== pin2;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (puk.length !== 8 || pin.length !== 4 || mismatch) return;
    setBusy(true);
    const r = await api.card.unblockPin({ puk, newPin: pin });
    setBusy(false);
    setPuk('');
    if (r.ok) {
      setDone(true);
      setPin('');
      setPin2('');
    } else setError(r.code);
  };
  if (done)
    return (
      <Success title={t('puk.done')}>
        <Button className="button button-primary" onPress={onDone}>
          {t('puk.signInNow')}
        </Button>
      </Success>
    );
  return (
    <section className="panel puk" aria-labelledby={`${id}-t`} data-testid="puk-flow">
      <h2 id={`${id}-t`} className="panel-title">
        {t('puk.title')}
      </h2>
      <p>{t('puk.notAccount')}</p>
      <ol className="numbered">
        <li>{t('puk.step1')}</li>
        <li>{t('puk.step2')}</li>
        <li>{t('puk.step3')}</li>
      </ol>
      <form onSubmit={(e) => void submit(e)} className="form">
        <div className="field">
          <label htmlFor={`${id}-puk`}>{t('puk.puk')}</label>
          <input
            id={`${id}-puk`}
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={8}
            value={puk}
            onChange={(e) => setPuk(e.target.value.replace(/\D/g, ''))}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-pin`}>{t('puk.newPin')}</label>
          <input
            id={`${id}-pin`}
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={4}
            value={pin}
            onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-pin2`}>{t('puk.newPin2')}</label>
          <input
            id={`${id}-pin2`}
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={4}
            value={pin2}
            aria-invalid={mismatch || undefined}
            onChange={(e) => setPin2(e.target.value.replace(/\D/g, ''))}
          />
          {mismatch && <p className="field-error">{t('puk.mismatch')}</p>}
        </div>
        {error && <ErrorState code={error} compact />}
        <Button
          type="submit"
          className="button button-primary"
          isDisabled={busy || puk.length !== 8 || pin.length !== 4 || pin !== pin2}
        >
          {t('puk.submit')}
        </Button>
      </form>
      <p className="muted small">{t('puk.lost')}</p>
    </section>
  );
}

function CardSignIn() {
  const card = useCardState();
  const active = card?.readers.find((r) => r.name === card.activeReader);
  // A new card, or the card pulled: start over. Not when the card's identity arrives after its insertion: the
  // PIN pad shows as soon as the card is in, and digits typed meanwhile must stay.
  const cardIn = card?.status === 'present' || card?.status === 'busy';
  const cardKey = cardIn ? `in:${card?.activeReader ?? ''}:${active?.card?.atr ?? ''}` : (card?.status ?? '');
  return (
    <div className="signin-card">
      <CardPanel state={card} />
      <CardPin key={cardKey} card={card} />
    </div>
  );
}

function CardPin({ card }: { card: CardState | null }) {
  const { t } = useTranslation();
  const api = useApi();
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [puk, setPuk] = useState(false);
  const { outcome, error, take, reset } = useOutcome();
  const present = card?.status === 'present';
  const active = card?.readers.find((r) => r.name === card.activeReader);
  const isCps = active?.card && (active.card.kind === 'cps3' || active.card.kind === 'cps4');
  const pinBlocked = error === 'CARD_PIN_BLOCKED' || (present && card?.pinTriesLeft === 0);

  const submit = async () => {
    setBusy(true);
    const r = await api.card.verifyPinAndSignIn({ pin });
    setPin('');
    setBusy(false);
    take(r);
  };
  return (
    <>
      {present && isCps && !pinBlocked && outcome?.status !== 'blocked' && (
        <section className="panel" aria-label={t('signIn.pinTitle')}>
          <PinEntry
            value={pin}
            onChange={setPin}
            onSubmit={() => void submit()}
            busy={busy}
            label={t('signIn.pinLabel')}
            submitLabel={t('signIn.pinSubmit')}
          />
          {error === 'CARD_PIN_WRONG' && (
            <div className="state state-warn" role="alert" data-testid="pin-wrong">
              <div>
                <p className="state-title">{t('signIn.pinWrong')}</p>
                {card?.pinTriesLeft != null && <TriesDots left={card.pinTriesLeft} />}
                <p className="muted">{t('signIn.pinWrongHelp')}</p>
              </div>
            </div>
          )}
          {error && error !== 'CARD_PIN_WRONG' && <ErrorState code={error} compact />}
        </section>
      )}
      {present && pinBlocked && !puk && (
        <div className="state state-blocked" role="alert" data-testid="pin-blocked">
          <div>
            <p className="state-title">{t('signIn.pinBlocked')}</p>
            <p>{t('signIn.pinBlockedHelp')}</p>
            <Button className="button button-primary" onPress={() => setPuk(true)}>
              {t('signIn.pinBlockedAction')}
            </Button>
          </div>
        </div>
      )}
      {present && pinBlocked && puk && <PukFlow onDone={() => (setPuk(false), reset())} />}
      {outcome?.status === 'blocked' && <BlockedNotice outcome={outcome} />}
    </>
  );
}

function EcpsSignIn() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const id = useId();
  const live = useEcpsState();
  const [nationalId, setNationalId] = useState('');
  const [started, setStarted] = useState<{
    bindingMessage: string | null;
    expiresAt: string | null;
    status: EcpsState['status'];
  } | null>(null);
  const [error, setError] = useState<ErrorCode | null>(null);
  const state = live ?? started;
  const pending = state?.status === 'pending';
  const valid = /^[08][0-9]{8,11}$/.test(nationalId);
  const start = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    setError(null);
    const r = await api.session.startEcps({ nationalId });
    if (r.ok) setStarted(r.value);
    else setError(r.code);
  };
  const cancel = async () => {
    const r = await api.session.cancelEcps();
    setStarted(r.ok ? r.value : null);
  };
  if (pending)
    return (
      <div className="ecps-wait" role="status" aria-live="polite" data-testid="ecps-pending">
        <Smartphone aria-hidden="true" size={48} className="pulse" />
        <p className="state-title">{t('ecps.pending')}</p>
        {state.bindingMessage && (
          <p>
            {t('ecps.binding')} <strong className="binding">{state.bindingMessage}</strong>
          </p>
        )}
        {state.expiresAt && (
          <p className="muted">{t('ecps.expires', { time: formatTime(state.expiresAt, i18n.language) })}</p>
        )}
        <Button className="button" onPress={() => void cancel()}>
          {t('common.cancel')}
        </Button>
      </div>
    );
  return (
    <form className="form" onSubmit={(e) => void start(e)}>
      <p>{t('ecps.intro')}</p>
      <div className="field">
        <label htmlFor={id}>{t('ecps.nationalId')}</label>
        <input
          id={id}
          inputMode="numeric"
          autoComplete="off"
          value={nationalId}
          onChange={(e) => setNationalId(e.target.value.replace(/\s/g, ''))}
          aria-describedby={`${id}-h`}
        />
        <p id={`${id}-h`} className="muted small">
          {t('ecps.nationalIdHelp')}
        </p>
      </div>
      {state && state.status !== 'idle' && state.status !== 'approved' && (
        <p className="note" role="status" data-testid="ecps-result">
          {t(`ecps.status.${state.status}`)}
        </p>
      )}
      {error && <ErrorState code={error} compact />}
      <Button type="submit" className="button button-primary" isDisabled={!valid}>
        {t('ecps.start')}
      </Button>
    </form>
  );
}

/**
 * "Remember me", on the password form only: a card session lives as long as the card stays in the reader, so it
 * is never kept across a restart (electron/core/session/session-service.ts says why). Shown once the core knows
 * whether an OS keychain is there; without one, the choice is disabled and the screen says why, calmly.
 */
export function RememberChoice({
  state,
  selected,
  onChange,
}: {
  state: RememberState | undefined;
  selected: boolean;
  onChange: (on: boolean) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  if (!state || (!state.available && !state.reason)) return null;
  return (
    <div className="field" data-testid="remember">
      <Checkbox
        className={state.available ? 'checkbox' : 'checkbox muted'}
        isSelected={state.available && selected}
        isDisabled={!state.available}
        onChange={onChange}
        aria-describedby={`${id}-h`}
      >
        <span className="checkbox-box" aria-hidden="true" />
        {t('remember.label')}
      </Checkbox>
      <p
        id={`${id}-h`}
        className="muted small"
        data-testid={state.available ? 'remember-help' : 'remember-unavailable'}
      >
        {state.available ? t('remember.help') : t('remember.unavailable')}
      </p>
    </div>
  );
}

function PasswordSignIn() {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [remember, setRemember] = useState(false);
  const rememberState = useSessionState().value?.remember;
  const { outcome, error, take } = useOutcome();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!identifier.trim() || !password) return;
    setBusy(true);
    const r = await api.session.signInWithPassword({
      identifier: identifier.trim(),
      password,
      ...(remember && rememberState?.available ? { remember: true } : {}),
    });
    setBusy(false);
    setPassword('');
    take(r);
  };
  const words = error ? errorText(t, error) : null;
  return (
    <form className="form" onSubmit={(e) => void submit(e)} data-testid="password-signin">
      <p>{t('signIn.passwordIntro')}</p>
      <div className="field">
        <label htmlFor={`${id}-i`}>{t('signIn.identifier')}</label>
        <input
          id={`${id}-i`}
          autoComplete="username"
          value={identifier}
          onChange={(e) => setIdentifier(e.target.value)}
          aria-describedby={`${id}-ih`}
        />
        <p id={`${id}-ih`} className="muted small">
          {t('signIn.identifierHelp')}
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-p`}>{t('signIn.password')}</label>
        <input
          id={`${id}-p`}
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      <RememberChoice state={rememberState} selected={remember} onChange={setRemember} />
      {words && (
        <div
          className="state state-error state-compact"
          role="alert"
          data-testid="signin-error"
          data-code={error}
        >
          <div>
            <p className="state-title">{words.what}</p>
            <p className="muted">{words.next}</p>
          </div>
        </div>
      )}
      {outcome?.status === 'blocked' && (
        <BlockedNotice outcome={{ ...outcome, identifier: outcome.identifier ?? identifier.trim() }} />
      )}
      <div className="actions">
        <Button
          type="submit"
          className="button button-primary"
          isDisabled={busy || !identifier.trim() || !password}
        >
          {t('signIn.submit')}
        </Button>
        <Link
          to="/unblock"
          state={{ identifier: identifier.trim() || null } satisfies UnblockStart}
          className="link"
        >
          {t('signIn.blockedLink')}
        </Link>
        <Link to="/fresh-start" className="link">
          {t('freshStart.code.link')}
        </Link>
      </div>
    </form>
  );
}

export type SignInMethod = 'card' | 'ecps' | 'password';

/** Sign-in: reacts to the card before anyone clicks; e-CPS; identifier and password for delegates. */
export function SignIn({
  initialMethod = 'card',
  title,
  intro,
}: {
  initialMethod?: SignInMethod;
  title?: string;
  intro?: string;
}) {
  const { t } = useTranslation();
  const backend = useBackendStatus();
  return (
    <div className="signin">
      <h1 className="page-title">{title ?? t('home.title')}</h1>
      <p className="lead">{intro ?? t('home.intro')}</p>
      {backend && !backend.reachable && (
        <p className="note note-offline" role="status" data-testid="backend-offline">
          <CloudOff aria-hidden="true" size={18} />
          {t('signIn.backendOffline')}
        </p>
      )}
      <Tabs defaultSelectedKey={initialMethod} className="tabs">
        <TabList aria-label={t('signIn.methods')} className="tab-list">
          <Tab id="card" className="tab">
            <CreditCard aria-hidden="true" size={20} /> {t('signIn.tab.card')}
          </Tab>
          <Tab id="ecps" className="tab">
            <Smartphone aria-hidden="true" size={20} /> {t('signIn.tab.ecps')}
          </Tab>
          <Tab id="password" className="tab">
            <KeyRound aria-hidden="true" size={20} /> {t('signIn.tab.password')}
          </Tab>
        </TabList>
        <TabPanel id="card" className="tab-panel">
          {backend?.signIn?.card === false && (
            <p className="note" role="status" data-testid="card-not-offered">
              <Info aria-hidden="true" size={18} />
              {t('signIn.cardNotOffered')}
            </p>
          )}
          <CardSignIn />
        </TabPanel>
        <TabPanel id="ecps" className="tab-panel panel">
          {backend?.signIn?.ecps === false && (
            <p className="note" role="status" data-testid="ecps-not-offered">
              <Info aria-hidden="true" size={18} />
              {t('signIn.ecpsNotOffered')}
            </p>
          )}
          <EcpsSignIn />
        </TabPanel>
        <TabPanel id="password" className="tab-panel panel">
          <PasswordSignIn />
        </TabPanel>
      </Tabs>
    </div>
  );
}
