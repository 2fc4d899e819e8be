import {
  LayoutDashboard,
  ListChecks,
  LogOut,
  Settings as SettingsIcon,
  Users,
  KeyRound,
  ShieldCheck,
  FlaskConical,
} from 'lucide-react';
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { HashRouter, NavLink, Navigate, Route, Routes, useLocation } from 'react-router';
import type { Case } from '../../domain/api/groups/events';
import type { SessionState } from '../../domain/api/groups/session';
import { CaseView } from './components/CaseView';
import type { VigieClient } from '../../domain/api/renderer-api';
import { LanguageSwitch } from './components/LanguageSwitch';
import { ReminderBanner, ReminderDialog } from './components/Reminders';
import { GraceBanner } from './screens/second-factor/GraceBanner';
import { Loading } from './components/ui';
import { api } from './lib/api';
import { ApiProvider, ShellContext, useApi } from './lib/api-context';
import { useConnection } from './lib/connection';
import { useAppInfo, useReminders, useSessionState } from './lib/hooks';
import type { ConnectionState } from './lib/ws-transport';
import { LockScreen } from './screens/Lock';
import { SignIn, type SignInMethod } from './screens/sign-in';

// Screens after sign-in load on demand: the first paint only needs the sign-in screen.
const Dashboard = lazy(() => import('./screens/Dashboard'));
const Accounts = lazy(() => import('./screens/accounts'));
const Events = lazy(() => import('./screens/events'));
const Unblock = lazy(() => import('./screens/unblock'));
const FreshStartCode = lazy(() => import('./screens/FreshStartCode'));
const Password = lazy(() => import('./screens/Password'));
const SecurityKey = lazy(() => import('./screens/SecurityKey'));
const Settings = lazy(() => import('./screens/Settings'));
const DemoPanel = lazy(() => import('./components/DemoPanel').then((m) => ({ default: m.DemoPanel })));

const TOUCH_EVERY_MS = 60_000;

/** Activity at the screen keeps the 1 h idle lock away (within the 4 h limit); at most one call a minute. */
function useTouchWhileSignedIn(signedIn: boolean) {
  const api = useApi();
  const last = useRef(0);
  useEffect(() => {
    if (!signedIn) return;
    const onActivity = () => {
      const now = Date.now();
      if (now - last.current < TOUCH_EVERY_MS) return;
      last.current = now;
      void api.session.touch();
    };
    window.addEventListener('keydown', onActivity);
    window.addEventListener('pointerdown', onActivity);
    return () => {
      window.removeEventListener('keydown', onActivity);
      window.removeEventListener('pointerdown', onActivity);
    };
  }, [api, signedIn]);
}

function LastCase({ c, onDismiss }: { c: Case; onDismiss: () => void }) {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="last-case-title" data-testid="last-case">
      <h2 id="last-case-title" className="panel-title">
        {t('report.doneTitle')}
      </h2>
      <CaseView c={c} />
      <Button className="button" onPress={onDismiss}>
        {t('common.close')}
      </Button>
    </section>
  );
}

function SignInRoute({
  session,
  lastCase,
  onDismissCase,
}: {
  session: SessionState | null;
  lastCase: Case | null;
  onDismissCase: () => void;
}) {
  const { t } = useTranslation();
  const location = useLocation();
  const method = ((location.state as { method?: SignInMethod } | null)?.method ?? 'card') as SignInMethod;
  const ended = session?.status === 'signed-out' ? session.endedBecause : null;
  return (
    <>
      {ended && ended !== 'sign-out' && (
        <p className="note" role="status" data-testid="ended-note">
          {t(`lock.ended.${ended}`)}
        </p>
      )}
      {lastCase && <LastCase c={lastCase} onDismiss={onDismissCase} />}
      <SignIn key={method} initialMethod={method} />
    </>
  );
}

function Nav({ session }: { session: SessionState }) {
  const { t } = useTranslation();
  const holder = session.user?.kind === 'holder';
  const password = session.user?.method === 'password' || session.user?.kind === 'password_delegate';
  const items = [
    { to: '/', label: t('nav.dashboard'), Icon: LayoutDashboard, show: true },
    { to: '/accounts', label: t('nav.accounts'), Icon: Users, show: holder },
    { to: '/events', label: t('nav.events'), Icon: ListChecks, show: true },
    { to: '/password', label: t('nav.password'), Icon: KeyRound, show: password },
    { to: '/security-key', label: t('nav.securityKey'), Icon: ShieldCheck, show: true },
  ];
  return (
    <nav aria-label={t('nav.label')} className="nav">
      {items
        .filter((i) => i.show)
        .map(({ to, label, Icon }) => (
          <NavLink key={to} to={to} end className="nav-link">
            <Icon aria-hidden="true" size={20} /> {label}
          </NavLink>
        ))}
    </nav>
  );
}

export function Shell({ connection }: { connection: ConnectionState }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const info = useAppInfo();
  const { value: session, set: setSession } = useSessionState();
  const reminders = useReminders(`${session?.status}:${session?.user?.accountId ?? ''}`);
  const [lastCase, setLastCase] = useState<Case | null>(null);
  const shell = useMemo(() => ({ sessionChanged: setSession, caseOpened: setLastCase }), [setSession]);
  const [demoOpen, setDemoOpen] = useState(false);
  const signedIn = session?.status === 'signed-in';
  const locked = session?.status === 'locked';
  useTouchWhileSignedIn(signedIn);

  // The language can also change from elsewhere (settings, another window): the core tells.
  useEffect(() => api.app.onLanguage((l) => void i18n.changeLanguage(l)), [api, i18n]);
  useEffect(() => {
    document.documentElement.lang = i18n.language;
  }, [i18n.language]);

  return (
    <ShellContext.Provider value={shell}>
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            V
          </span>
          <span className="brand-name">{t('app.name')}</span>
          {session?.user && !locked ? (
            <span className="brand-tagline" data-testid="who">
              {t('app.who', { name: session.user.displayName, pharmacy: session.user.pharmacyName })}
            </span>
          ) : (
            <span className="brand-tagline">{t('app.tagline')}</span>
          )}
          {info?.demo && <span className="badge badge-demo">{t('app.demoBadge')}</span>}
        </div>
        <div className="header-tools">
          {info?.demo && (
            <Button
              className="button button-demo"
              onPress={() => setDemoOpen((o) => !o)}
              aria-expanded={demoOpen}
              data-testid="demo-toggle"
            >
              <FlaskConical aria-hidden="true" size={20} /> {t('demo.open')}
            </Button>
          )}
          <NavLink to="/settings" className="nav-link" aria-label={t('nav.settings')}>
            <SettingsIcon aria-hidden="true" size={20} />{' '}
            <span className="hide-narrow">{t('nav.settings')}</span>
          </NavLink>
          <LanguageSwitch />
          {signedIn && (
            <Button
              className="button"
              onPress={() => void api.session.signOut().then((r) => r.ok && setSession(r.value))}
              data-testid="sign-out"
            >
              <LogOut aria-hidden="true" size={20} /> {t('nav.signOut')}
            </Button>
          )}
        </div>
      </header>
      {signedIn && session && <Nav session={session} />}
      {connection !== 'open' && (
        <div className="banner banner-warn" role="status" data-testid="connection-banner">
          {t(`connection.${connection}`)}
        </div>
      )}
      <ReminderBanner reminders={reminders} />
      {session && <GraceBanner session={session} />}
      <ReminderDialog
        reminders={reminders}
        onSnooze={(accountId) => void api.reminders.snooze({ accountId, hours: 4 })}
      />
      <div className="app-body">
        <main id="main" className="app-main" tabIndex={-1}>
          <Suspense fallback={<Loading />}>
            {locked && session ? (
              <LockScreen session={session} />
            ) : signedIn && session?.passwordChangeRequired ? (
              <Password required />
            ) : (
              <Routes>
                <Route path="/settings" element={<Settings />} />
                <Route path="/unblock" element={<Unblock />} />
                <Route path="/fresh-start" element={<FreshStartCode />} />
                {signedIn ? (
                  <>
                    <Route path="/" element={<Dashboard />} />
                    <Route path="/accounts" element={<Accounts />} />
                    <Route path="/events" element={<Events />} />
                    <Route path="/password" element={<Password />} />
                    <Route path="/security-key" element={<SecurityKey />} />
                    <Route path="*" element={<Navigate to="/" replace />} />
                  </>
                ) : (
                  <>
                    <Route
                      path="/"
                      element={
                        <SignInRoute
                          session={session}
                          lastCase={lastCase}
                          onDismissCase={() => setLastCase(null)}
                        />
                      }
                    />
                    {/* Signed out, the start: at a shared counter the next person signs in to the dashboard, not to
                        the page the last one left open. A lock keeps the page, for the same person. */}
                    <Route path="*" element={<Navigate to="/" replace />} />
                  </>
                )}
              </Routes>
            )}
          </Suspense>
        </main>
        {demoOpen && (
          <Suspense fallback={<Loading />}>
            <DemoPanel onClose={() => setDemoOpen(false)} />
          </Suspense>
        )}
      </div>
      <footer className="app-footer muted small">
        {info && t('footer.version', { version: info.version })}
      </footer>
    </ShellContext.Provider>
  );
}

export function App({ client = api }: { client?: VigieClient }) {
  const connection = useConnection();
  return (
    <ApiProvider client={client}>
      <HashRouter>
        <Shell connection={connection} />
      </HashRouter>
    </ApiProvider>
  );
}
