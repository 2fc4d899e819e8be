/**
 * The demo's clock: the wall clock plus an offset that only the demo moves forward (« Avancer l'horloge »), shared
 * by the core and its embedded backend, so a person can see what happens at a deadline without waiting for it
 * (a delegation's last day, a block date). Outside demo mode nothing reads it.
 */
export interface DemoClock {
  now(): Date;
  /** Moves the clock forward; returns the new time. */
  advance(ms: number): Date;
}

export function createDemoClock(wall: () => number = Date.now): DemoClock {
  let offsetMs = 0;
  const now = () => new Date(wall() + offsetMs);
  return {
    now,
    advance(ms) {
      if (!(ms > 0)) throw new RangeError('the demo clock only moves forward');
      offsetMs += ms;
      return now();
    },
  };
}
