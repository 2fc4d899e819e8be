import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planReminders, type KnownAccount, type ReminderMemory } from './planner';

/**
 * Whatever the clock does (runs, sleeps, restarts, jumps back and forth) and whenever the evaluations happen:
 * each reminder of a block date shows at most once, each shown one is closer than the previous, and the
 * latest passed reminder is always shown by the end.
 */
const BLOCK = new Date('2027-03-14T09:30:00Z').getTime();
const DAY = 86_400_000;
const account: KnownAccount = {
  accountId: 'a',
  displayName: 'A',
  state: 'active',
  blockAt: new Date(BLOCK).toISOString(),
  checkedAt: new Date(BLOCK - 40 * DAY).toISOString(),
};
// Evaluation instants between D-45 and D+2, in any order (clock jumps both ways).
const instant = fc.integer({ min: BLOCK - 45 * DAY, max: BLOCK + 2 * DAY });

describe('reminder planner, property', () => {
  it('never shows a reminder twice, nor a farther one after a closer one, whatever the clock does', () => {
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 40 }), (times) => {
        let memory: ReminderMemory = {};
        const shown: number[] = [];
        // Evaluations at these instants, in this order; then the clock settles on the latest one and the app looks again.
        const last = Math.max(...times);
        for (const t of [...times, last]) {
          const p = planReminders({ accounts: [account], memory, now: new Date(t), refreshFailing: false });
          for (const n of p.notify) shown.push(n.days);
          memory = p.memory; // a restart reads the same memory back from the settings file
        }
        expect(new Set(shown).size).toBe(shown.length);
        for (let i = 1; i < shown.length; i++) expect(shown[i]!).toBeLessThan(shown[i - 1]!);
        // The reminder due at the latest instant (or a closer one) has been shown. No DST change between
        // D-45 and the block date here, so a Paris day is 24 h.
        const passed = [30, 14, 7, 3, 1, 0].filter((d) => last >= BLOCK - d * DAY);
        if (passed.length > 0) expect(Math.min(...shown)).toBeLessThanOrEqual(Math.min(...passed));
      }),
      { numRuns: 300 },
    );
  });
});
