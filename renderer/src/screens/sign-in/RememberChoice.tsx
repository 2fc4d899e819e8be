import { useId } from 'react';
import { Checkbox } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { RememberState } from '../../../../domain/api/groups/session';

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
