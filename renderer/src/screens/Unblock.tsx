import { CreditCard, KeyRound, Mail, Smartphone } from 'lucide-react';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import type { PostalState } from '../../../domain/api/groups/unblock';
import type { ErrorCode } from '../../../domain/errors';
import { NewPasswordFields, type PasswordCheck } from '../components/PasswordField';
import { formAnswers, SecurityKeyFields, useSecurityKeyQuestions } from '../components/SecurityKeyFields';
import { ErrorState, Loading, Steps, Success, type Step } from '../components/ui';
import { useApi } from '../lib/api-context';
import { formatDate } from '../lib/format';
import { useCardState } from '../lib/hooks';
import type { UnblockStart } from './sign-in';

type Path = 'card' | 'ecps' | 'security_key' | 'postal_code';
const ORDER: Path[] = ['card', 'ecps', 'security_key', 'postal_code'];
const ICONS = { card: CreditCard, ecps: Smartphone, security_key: KeyRound, postal_code: Mail };

/** The ways out, in the order of the rules, each with what it needs and how long it takes. */
export function PathChoice({ paths, onChoose }: { paths: Path[]; onChoose: (p: Path) => void }) {
  const { t } = useTranslation();
  const sorted = ORDER.filter((p) => paths.includes(p));
  return (
    <ol className="paths" data-testid="unblock-paths">
      {sorted.map((p, i) => {
        const Icon = ICONS[p];
        // « La plus rapide » only when there is a choice.
        const best = i === 0 && sorted.length > 1;
        return (
          <li key={p} className={`path${best ? ' path-best' : ''}`} data-path={p}>
            <Icon aria-hidden="true" size={32} className="path-icon" />
            <div className="path-body">
              <h3 className="path-title">
                {t(`unblock.path.${p}.title`)}
                {best && <span className="badge badge-active">{t('unblock.best')}</span>}
              </h3>
              <p className="small">
                <strong>{t('unblock.needs')}</strong> {t(`unblock.path.${p}.needs`)}
              </p>
              <p className="small">
                <strong>{t('unblock.takes')}</strong> {t(`unblock.path.${p}.takes`)}
              </p>
            </div>
            <Button className={i === 0 ? 'button button-primary' : 'button'} onPress={() => onChoose(p)}>
              {t(`unblock.path.${p}.go`)}
            </Button>
          </li>
        );
      })}
    </ol>
  );
}

function SecurityKeyStep({
  identifier,
  onTicket,
  onNotEnough,
}: {
  identifier: string;
  onTicket: (ticket: string) => void;
  /** The key was right but is not enough for this account (after the person's own report). */
  onNotEnough: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const { questions, code: questionsCode } = useSecurityKeyQuestions();
  const [code, setCode] = useState<ErrorCode | null>(null);
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [showErrors, setShowErrors] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const sent = questions && formAnswers(questions, answers);
    setShowErrors(true);
    // an answer that cannot be right is said at its field, and costs no try
    if (!sent) return;
    setBusy(true);
    const r = await api.unblock.submitSecurityKey({ identifier, answers: sent });
    setBusy(false);
    if (r.ok) onTicket(r.value.ticket);
    else if (r.code === 'SECURITY_KEY_NOT_ALLOWED') onNotEnough();
    else setCode(r.code);
  };
  const shown = code ?? questionsCode;
  if (!questions && !shown) return <Loading />;
  return (
    <form className="form" onSubmit={(e) => void submit(e)} data-testid="security-key">
      <p>{t('unblock.key.intro')}</p>
      {questions && (
        <SecurityKeyFields
          questions={questions}
          answers={answers}
          onChange={setAnswers}
          showErrors={showErrors}
        />
      )}
      {shown && <ErrorState code={shown} compact />}
      {questions && (
        <Button
          type="submit"
          className="button button-primary"
          isDisabled={busy || questions.some((q) => !answers[q.id])}
        >
          {t('unblock.key.submit')}
        </Button>
      )}
    </form>
  );
}

/** The letter's journey as steps: requested → printed → in the post → to type before <date>. */
export function LetterJourney({ state }: { state: PostalState }) {
  const { t, i18n } = useTranslation();
  const d = (iso: string | null) => (iso ? formatDate(iso, i18n.language) : undefined);
  const rank: Record<PostalState['status'], number> = {
    none: -1,
    requested: 0,
    printed: 1,
    'in-post': 2,
    expected: 2,
    used: 4,
    expired: 4,
  };
  const r = rank[state.status];
  const st = (i: number): Step['state'] => (r > i ? 'done' : r === i ? 'current' : 'todo');
  const steps: Step[] = [
    {
      id: 'requested',
      label: t('unblock.postal.step.requested'),
      detail: d(state.requestedAt),
      state: st(0),
    },
    { id: 'printed', label: t('unblock.postal.step.printed'), detail: d(state.printedAt), state: st(1) },
    {
      id: 'in-post',
      label: t('unblock.postal.step.inPost'),
      detail: state.expectedBy ? t('unblock.postal.expectedBy', { date: d(state.expectedBy) }) : undefined,
      state: st(2),
    },
    {
      id: 'type',
      label: state.expiresAt
        ? t('unblock.postal.step.typeBefore', { date: d(state.expiresAt) })
        : t('unblock.postal.step.type'),
      state: r >= 2 && r < 4 ? 'current' : r === 4 ? 'done' : 'todo',
    },
  ];
  return <Steps steps={steps} label={t('unblock.postal.journey')} />;
}

/** The letter this workstation asked for, if any: its journey and the way to type its code. */
function LetterOnThisWorkstation({ identifier, onOpen }: { identifier: string; onOpen: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [state, setState] = useState<PostalState | null>(null);
  useEffect(() => {
    let live = true;
    void api.unblock.postalState({ identifier }).then((r) => live && r.ok && setState(r.value));
    return () => {
      live = false;
    };
  }, [api, identifier]);
  if (!state || state.status === 'none' || state.status === 'used' || state.status === 'expired') return null;
  return (
    <div className="letter-here" data-testid="letter-here">
      <h3 className="path-title">{t('unblock.letterHere.title')}</h3>
      <LetterJourney state={state} />
      {state.reference && (
        <p className="muted small">{t('unblock.postal.reference', { reference: state.reference })}</p>
      )}
      <Button className="button button-primary" onPress={onOpen}>
        {t('unblock.letterHere.go')}
      </Button>
    </div>
  );
}

function PostalStep({ identifier, onTicket }: { identifier: string; onTicket: (ticket: string) => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const id = useId();
  const [state, setState] = useState<PostalState | null>(null);
  const [err, setErr] = useState<ErrorCode | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void api.unblock.postalState({ identifier }).then((r) => (r.ok ? setState(r.value) : setErr(r.code)));
  }, [api, identifier]);
  const request = async () => {
    setBusy(true);
    const r = await api.unblock.requestPostalCode({ identifier });
    setBusy(false);
    if (r.ok) {
      setState(r.value);
      setErr(null);
    } else setErr(r.code);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const r = await api.unblock.submitPostalCode({ identifier, code: code.trim() });
    setBusy(false);
    if (r.ok) onTicket(r.value.ticket);
    else setErr(r.code);
  };
  if (!state && !err) return <Loading />;
  const canRequest =
    !state || state.status === 'none' || state.status === 'expired' || state.status === 'used';
  const tooSoon = state?.nextRequestAt && new Date(state.nextRequestAt) > new Date();
  return (
    <div className="form" data-testid="postal">
      {state && state.status !== 'none' && <LetterJourney state={state} />}
      {state?.reference && (
        <p className="muted small">{t('unblock.postal.reference', { reference: state.reference })}</p>
      )}
      {canRequest ? (
        <>
          <p>{t('unblock.postal.intro')}</p>
          <Button
            className="button button-primary"
            onPress={() => void request()}
            isDisabled={busy || !!tooSoon}
          >
            {t('unblock.postal.request')}
          </Button>
          {tooSoon && state?.nextRequestAt && (
            <p className="muted">
              {t('unblock.postal.nextAt', { date: formatDate(state.nextRequestAt, i18n.language) })}
            </p>
          )}
        </>
      ) : (
        <form className="form" onSubmit={(e) => void submit(e)}>
          <div className="field">
            <label htmlFor={`${id}-c`}>{t('unblock.postal.code')}</label>
            <input
              id={`${id}-c`}
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              className="code-input"
              data-testid="postal-code"
            />
            <p className="muted small">{t('unblock.postal.codeHelp')}</p>
          </div>
          <Button type="submit" className="button button-primary" isDisabled={busy || code.trim().length < 6}>
            {t('unblock.postal.submit')}
          </Button>
        </form>
      )}
      {err && <ErrorState code={err} compact />}
    </div>
  );
}

function NewPasswordStep({
  ticket,
  identifier,
  onDone,
}: {
  ticket: string;
  identifier: string;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const [pw, setPw] = useState('');
  const [confirm, setConfirm] = useState('');
  const [check, setCheck] = useState<PasswordCheck | null>(null);
  const [err, setErr] = useState<ErrorCode | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const r = await api.unblock.setNewPassword({ ticket, newPassword: pw });
    setBusy(false);
    if (r.ok) onDone();
    else setErr(r.code);
  };
  return (
    <form className="form" onSubmit={(e) => void submit(e)} data-testid="new-password-step">
      <p>{t('unblock.newPassword.intro')}</p>
      <NewPasswordFields
        check={(password) => api.unblock.checkPassword({ password, identifier })}
        value={pw}
        onChange={setPw}
        confirm={confirm}
        onConfirmChange={setConfirm}
        onCheck={setCheck}
      />
      {err && <ErrorState code={err} compact />}
      <Button
        type="submit"
        className="button button-primary"
        isDisabled={busy || !pw || pw !== confirm || check?.acceptable === false}
      >
        {t('unblock.newPassword.submit')}
      </Button>
    </form>
  );
}

/**
 * `generic`: the same choice for everyone (an identifier alone proves nothing); `notEnough`: the key was right but
 * is not enough for this account, so these are the person's own remaining ways.
 */
type Choice = { paths: Path[]; triesLeft: number | null; generic: boolean; notEnough?: boolean };
type Stage =
  | { s: 'start' }
  | ({ s: 'paths' } & Choice)
  | { s: 'key' }
  | { s: 'postal' }
  | { s: 'password'; ticket: string }
  | { s: 'done' };

/** One entry point: asks the backend which ways out can work now and shows only those, best first. */
export default function Unblock() {
  const { t } = useTranslation();
  const api = useApi();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state ?? {}) as UnblockStart;
  const card = useCardState();
  const id = useId();
  const [identifier, setIdentifier] = useState(from.identifier ?? '');
  const [stage, setStage] = useState<Stage>({ s: 'start' });
  const [lastPaths, setLastPaths] = useState<Choice | null>(null);
  const [err, setErr] = useState<ErrorCode | null>(null);
  const [busy, setBusy] = useState(false);
  const show = (found: Choice) => {
    setLastPaths(found);
    setStage({ s: 'paths', ...found });
  };
  const ask = async (e?: FormEvent) => {
    e?.preventDefault();
    setErr(null);
    // From a sign-in whose password was right: the person's own paths, as that answer listed them.
    const own = from.paths?.length && from.identifier && identifier.trim() === from.identifier.trim();
    if (own) return show({ paths: from.paths!, triesLeft: null, generic: false });
    setBusy(true);
    const r = await api.unblock.eligibility({
      identifier: identifier.trim() || undefined,
      has: { card: card?.status === 'present' },
    });
    setBusy(false);
    if (r.ok)
      show({
        paths: r.value.paths,
        // with an identifier alone the count is the same for everyone: it says nothing about this account
        triesLeft: identifier.trim() ? null : r.value.securityKeyTriesLeft,
        generic: !!identifier.trim(),
      });
    else setErr(r.code);
  };
  /** The key was right but not enough here: the ways that remain for this person. */
  const keyNotEnough = () =>
    show({
      paths: [
        ...(card?.status === 'present' ? (['card'] as const) : []),
        ...(from.paths ?? ['postal_code']).filter((p) => p !== 'security_key' && p !== 'card'),
      ],
      triesLeft: null,
      generic: false,
      notEnough: true,
    });
  const choose = (p: Path) => {
    if (p === 'card') navigate('/', { state: { method: 'card' } });
    else if (p === 'ecps') navigate('/', { state: { method: 'ecps' } });
    else setStage({ s: p === 'security_key' ? 'key' : 'postal' });
  };
  const ident = identifier.trim();
  const stepNames = { start: 1, paths: 2, key: 3, postal: 3, password: 4, done: 5 } as const;
  return (
    <div className="wizard" data-testid="unblock" data-stage={stage.s}>
      <h1 className="page-title">{t('unblock.title')}</h1>
      <p className="lead">{from.reason ? t(`unblock.reason.${from.reason}`) : t('unblock.intro')}</p>
      <p className="muted small" aria-live="polite">
        {t('unblock.stepOf', { step: stepNames[stage.s], total: 5 })}
      </p>
      {stage.s === 'start' && (
        <form className="panel form" onSubmit={(e) => void ask(e)}>
          <div className="field">
            <label htmlFor={`${id}-i`}>{t('unblock.identifier')}</label>
            <input
              id={`${id}-i`}
              autoComplete="username"
              value={identifier}
              onChange={(e) => setIdentifier(e.target.value)}
              aria-describedby={`${id}-h`}
            />
            <p id={`${id}-h`} className="muted small">
              {t('unblock.identifierHelp')}
            </p>
          </div>
          {err && <ErrorState code={err} compact />}
          <div className="actions">
            <Button type="submit" className="button button-primary" isDisabled={busy}>
              {t('unblock.next')}
            </Button>
            <Link to="/" className="link">
              {t('unblock.back')}
            </Link>
          </div>
        </form>
      )}
      {stage.s === 'paths' && (
        <section className="panel" aria-labelledby="paths-title">
          <h2 id="paths-title" className="panel-title">
            {t('unblock.pathsTitle')}
          </h2>
          {stage.notEnough && (
            <p className="state state-warn state-compact" role="status" data-testid="key-not-enough">
              {t('unblock.keyNotEnough')}
            </p>
          )}
          {ident && <LetterOnThisWorkstation identifier={ident} onOpen={() => setStage({ s: 'postal' })} />}
          {stage.paths.length === 0 ? (
            <ErrorState code="SECURITY_KEY_NOT_ALLOWED" />
          ) : (
            <PathChoice paths={stage.paths} onChoose={choose} />
          )}
          {stage.generic && (
            <p className="muted small" data-testid="same-for-all">
              {t('unblock.sameForAll')}
            </p>
          )}
          {stage.triesLeft != null && (
            <p className="muted small">{t('unblock.key.triesLeft', { count: stage.triesLeft })}</p>
          )}
        </section>
      )}
      {(stage.s === 'key' || stage.s === 'postal') && !ident && (
        <ErrorState code="INVALID_REQUEST" onRetry={() => setStage({ s: 'start' })} />
      )}
      {stage.s === 'key' && ident && (
        <section className="panel" aria-labelledby="key-title">
          <h2 id="key-title" className="panel-title">
            {t('unblock.path.security_key.title')}
          </h2>
          <SecurityKeyStep
            identifier={ident}
            onTicket={(ticket) => setStage({ s: 'password', ticket })}
            onNotEnough={keyNotEnough}
          />
        </section>
      )}
      {stage.s === 'postal' && ident && (
        <section className="panel" aria-labelledby="postal-title">
          <h2 id="postal-title" className="panel-title">
            {t('unblock.path.postal_code.title')}
          </h2>
          <PostalStep identifier={ident} onTicket={(ticket) => setStage({ s: 'password', ticket })} />
        </section>
      )}
      {stage.s === 'password' && (
        <section className="panel" aria-labelledby="np-title">
          <h2 id="np-title" className="panel-title">
            {t('unblock.newPassword.title')}
          </h2>
          <NewPasswordStep ticket={stage.ticket} identifier={ident} onDone={() => setStage({ s: 'done' })} />
        </section>
      )}
      {stage.s === 'done' && (
        <Success title={t('unblock.done')}>
          <p>{t('unblock.doneHelp')}</p>
          <Link to="/" state={{ method: 'password' }} className="button button-primary">
            {t('unblock.signIn')}
          </Link>
        </Success>
      )}
      {(stage.s === 'paths' || stage.s === 'key' || stage.s === 'postal') && (
        <Button
          className="button button-quiet"
          onPress={() =>
            setStage(stage.s === 'paths' || !lastPaths ? { s: 'start' } : { s: 'paths', ...lastPaths })
          }
        >
          {t('common.back')}
        </Button>
      )}
    </div>
  );
}
