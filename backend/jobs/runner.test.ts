import { describe, expect, it } from 'vitest';
import type { Ctx } from '../context';
import { Jobs } from './runner';

/**
 * A job asked to run just after something changed (a moved clock, a delegation just ended) must see it, even when
 * its timer started a run a moment before: the demo's « advance the clock » and the tests rely on it. Runs of one
 * job never overlap.
 */
describe('Jobs.run', () => {
  it('waits for a run already under way, then runs once more, shared by the callers that came meanwhile', async () => {
    const jobs = new Jobs({} as Ctx, null);
    let started = 0;
    let active = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    (jobs as unknown as { exec: () => Promise<number> }).exec = async () => {
      const n = ++started;
      active++;
      most = Math.max(most, active);
      await new Promise<void>((release) => gates.push(release));
      active--;
      return n;
    };
    const byTimer = jobs.run('mail'); // the timer's run: began before the change
    await Promise.resolve();
    const afterChange = jobs.run('mail'); // asked for after the change
    const alsoAfter = jobs.run('mail');
    gates.shift()!();
    expect(await byTimer).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toBe(2); // a second run began once the first ended
    gates.shift()!();
    expect(await afterChange).toBe(2);
    expect(await alsoAfter).toBe(2);
    expect(started).toBe(2);
    expect(most).toBe(1);
  });

  it('starts at once when the job is idle', async () => {
    const jobs = new Jobs({} as Ctx, null);
    let started = 0;
    (jobs as unknown as { exec: () => Promise<number> }).exec = async () => ++started;
    expect(await jobs.run('reminders')).toBe(1);
    expect(await jobs.run('reminders')).toBe(2);
  });
});
