import { describe, expect, it } from 'vitest';
import { weeklyCounts, weekStart } from './events';

describe('sign-ins per week (the chart above the log)', () => {
  const now = new Date('2026-11-22T10:00:00Z'); // a Sunday

  it('weeks start on Monday and the current week is the last bar', () => {
    expect(weekStart(now).toISOString()).toBe('2026-11-16T00:00:00.000Z');
    const rows = weeklyCounts([], now, 3);
    expect(rows.map((r) => r.weekStart.slice(0, 10))).toEqual(['2026-11-02', '2026-11-09', '2026-11-16']);
  });

  it('counts successes and failures apart, so a burst of failures stands out', () => {
    const rows = weeklyCounts(
      [
        { at: '2026-11-20T08:00:00Z', type: 'sign_in' },
        { at: '2026-11-21T08:00:00Z', type: 'sign_in_failed' },
        { at: '2026-11-21T08:01:00Z', type: 'sign_in_failed' },
        { at: '2026-11-10T08:00:00Z', type: 'sign_in_refused_blocked' },
        { at: '2026-11-10T09:00:00Z', type: 'password_changed' },
        { at: '2025-01-01T00:00:00Z', type: 'sign_in' },
      ],
      now,
      2,
    );
    expect(rows).toEqual([
      { weekStart: '2026-11-09T00:00:00.000Z', success: 0, failure: 1 },
      { weekStart: '2026-11-16T00:00:00.000Z', success: 1, failure: 2 },
    ]);
  });
});
