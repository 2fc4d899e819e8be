import { Notification } from 'electron';
import type { Language } from '../../domain/api/groups/app';
import { systemNotification, type ShellNotice } from './tray-model';

/**
 * OS notifications for reminders (an account's deadline, a card's end): the core's scheduler decides and emits;
 * the shell only shows. A click opens Vigie (on its sign-in screen); it never signs anyone in.
 */
export function showReminder(
  n: ShellNotice,
  language: Language,
  onClick: () => void,
  iconPath?: string,
): boolean {
  if (!Notification.isSupported()) return false;
  const s = systemNotification(n, language);
  const note = new Notification({
    title: s.title,
    body: s.body,
    urgency: s.urgency,
    silent: s.silent,
    timeoutType: s.urgency === 'critical' ? 'never' : 'default',
    ...(iconPath ? { icon: iconPath } : {}),
  });
  note.on('click', onClick);
  note.show();
  return true;
}
