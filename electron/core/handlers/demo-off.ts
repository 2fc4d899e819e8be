import type { VigieHandlers } from '../../../domain/api/renderer-api';
import { AppError } from '../../../domain/result';

/** The demo group outside demo mode (the demo module, ../demo/, is not plugged in): no people, every action refused. */
export function demoOffHandlers(): VigieHandlers['demo'] {
  const refuse = (): never => {
    throw new AppError('FORBIDDEN', 'Réservé au mode démonstration.');
  };
  return {
    people: () => ({ available: false, people: [] }),
    insertCard: refuse,
    removeCard: refuse,
    answerEcps: refuse,
    advanceClock: refuse,
    lastLetter: refuse,
    mailbox: refuse,
  };
}
