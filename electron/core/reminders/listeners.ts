/** Calling the reminders' listeners (scheduler.ts, card-reminders.ts): one that throws never stops the others. */
export function safe(fn: () => void) {
  try {
    fn();
  } catch {
    // a broken listener must not stop the others
  }
}
