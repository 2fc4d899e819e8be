import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { SignInOutcome } from '../../../../domain/api/groups/session';

export type Blocked = Extract<SignInOutcome, { status: 'blocked' }>;

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
