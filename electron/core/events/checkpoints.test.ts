import { describe, expect, it } from 'vitest';
import { afterPurge, firstChange, remember } from './checkpoints';

const ev = (seq: number, hash: string) => ({
  seq,
  hash,
  at: `2026-11-${String(seq).padStart(2, '0')}T08:00:00Z`,
  type: 'sign_in',
});

describe("the workstation's checkpoints of an events chain", () => {
  it('names the first event it showed that the server now has differently', () => {
    const known = remember({}, [ev(3, 'a3'), ev(4, 'a4'), ev(5, 'a5')]);
    const now = new Map([
      [3, 'a3'],
      [4, 'b4'],
      [5, 'b5'],
    ]);
    expect(firstChange(known, now, { from: 1, to: 5 })).toMatchObject({
      seq: 4,
      problem: 'altered',
      type: 'sign_in',
    });
  });

  it('never replaces what it showed with what the server says later', () => {
    const known = remember(remember({}, [ev(4, 'a4')]), [ev(4, 'forged')]);
    expect(known['4']![0]).toBe('a4');
  });

  it('a retention purge forgets the events below the anchor without calling it a change', () => {
    const known = remember({}, [ev(1, 'a1'), ev(2, 'a2'), ev(3, 'a3')]);
    const { kept, purged } = afterPurge(known, 2);
    expect(purged).toBe(2);
    expect(firstChange(kept, new Map([[3, 'a3']]), { from: 1, to: 3 })).toBeNull();
  });

  it('an event deleted without a purge is missing', () => {
    const known = remember({}, [ev(1, 'a1'), ev(2, 'a2')]);
    expect(firstChange(known, new Map([[2, 'a2']]), { from: 1, to: 2 })).toMatchObject({
      seq: 1,
      problem: 'missing',
    });
  });

  it('keeps the newest events within its bound', () => {
    const known = remember({}, [ev(1, 'a'), ev(2, 'b'), ev(3, 'c')], 2);
    expect(Object.keys(known)).toEqual(['2', '3']);
  });
});
