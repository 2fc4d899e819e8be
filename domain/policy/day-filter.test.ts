import { describe, expect, it } from 'vitest';
import { frenchDayToInstant, instantToFrenchDay } from './day-filter';

describe('a day typed in a filter', () => {
  it('reads the French order and gives the Paris day’s first and last instant', () => {
    expect(frenchDayToInstant('17/05/2026', false)).toBe('2026-05-16T22:00:00.000Z');
    expect(frenchDayToInstant('17/05/2026', true)).toBe('2026-05-17T21:59:59.999Z');
    expect(frenchDayToInstant(' 3 1 2026 ', false)).toBe('2026-01-02T23:00:00.000Z');
    expect(frenchDayToInstant('2026-01-03', false)).toBe('2026-01-02T23:00:00.000Z');
  });
  it('refuses what is not a real date', () => {
    for (const s of ['', '31/02/2026', '05/17/2026', '17/05', 'demain'])
      expect(frenchDayToInstant(s, false)).toBe(null);
  });
  it('writes an instant back as jj/mm/aaaa in Paris, so a typed day reads the same', () => {
    expect(instantToFrenchDay('2026-05-16T22:00:00.000Z')).toBe('17/05/2026');
    expect(instantToFrenchDay(frenchDayToInstant('01/12/2026', true)!)).toBe('01/12/2026');
  });
});
