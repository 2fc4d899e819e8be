import { Lock as LockIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { SessionState } from '../../../domain/api/groups/session';
import { SignIn } from './sign-in';

/** The session is locked (card pulled, 1 h without activity): signing in again unlocks it. */
export function LockScreen({ session }: { session: SessionState }) {
  const { t } = useTranslation();
  const why = session.endedBecause ?? 'idle';
  return (
    <div className="lock" data-testid="lock-screen" data-reason={why}>
      <div className="lock-head">
        <LockIcon aria-hidden="true" size={40} />
        <div>
          <p className="state-title" role="status">
            {t(`lock.reason.${why}`)}
          </p>
          {session.user && (
            <p className="muted">
              {t('lock.who', { name: session.user.displayName, pharmacy: session.user.pharmacyName })}
            </p>
          )}
        </div>
      </div>
      <SignIn
        title={t('lock.title')}
        intro={session.user?.method === 'password' ? t('lock.introPassword') : t('lock.introCard')}
        initialMethod={
          session.user?.method === 'password' ? 'password' : session.user?.method === 'ecps' ? 'ecps' : 'card'
        }
      />
    </div>
  );
}
