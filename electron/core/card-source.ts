import type { CardState } from '../../domain/card';
import type { Unsubscribe } from '../../domain/api/define';

/** What the core needs from the card side; implemented by the card-service supervisor. */
export interface CardSource {
  getState(): CardState;
  onState(listener: (state: CardState) => void): Unsubscribe;
  start(): Promise<void>;
  stop(): Promise<void>;
}
