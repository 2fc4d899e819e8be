import { describe, expect, it } from 'vitest';
import { demoOffHandlers } from '../handlers/demo-off';
import { createDemoClock } from './clock';

describe('the demo clock', () => {
  it('reads the wall clock plus what the demo moved it forward', () => {
    let wall = Date.parse('2026-12-07T17:00:00Z');
    const clock = createDemoClock(() => wall);
    expect(clock.now().toISOString()).toBe('2026-12-07T17:00:00.000Z');
    expect(clock.advance(6 * 3600_000).toISOString()).toBe('2026-12-07T23:00:00.000Z');
    wall += 60_000;
    expect(clock.now().toISOString()).toBe('2026-12-07T23:01:00.000Z');
  });

  it('never moves back, so nothing already decided (a block, an end) can be undone by it', () => {
    const clock = createDemoClock(() => 0);
    expect(() => clock.advance(-60_000)).toThrow(RangeError);
    expect(() => clock.advance(0)).toThrow(RangeError);
    expect(clock.now().getTime()).toBe(0);
  });

  it('outside demo mode no one can move it: the call is refused', async () => {
    const off = demoOffHandlers();
    await expect(async () => off.advanceClock({ minutes: 60 }, {} as never)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
