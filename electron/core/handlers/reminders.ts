import type { VigieHandlers } from '../../../domain/api/renderer-api';
import { AppError } from '../../../domain/result';
import type { CoreContext } from '../context';

/**
 * `reminders`: the accounts followed on this workstation, most urgent first, and "remind me later". The list is
 * what the in-app banner shows (browser mode) and what the tray summarises (Electron); `reminders.changed` is
 * emitted by the workstation services when it changes.
 */
export function remindersHandlers(ctx: CoreContext): VigieHandlers['reminders'] {
  const scheduler = () => {
    const s = ctx.workstation.reminders;
    if (!s) throw new AppError('UNAVAILABLE', 'Les rappels ne sont pas disponibles.');
    return s;
  };
  return {
    list: () => ({ reminders: scheduler().list() }),
    snooze: ({ accountId, hours }) => scheduler().snooze(accountId, hours),
  };
}
