// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { err, ok, type Result } from '../../../domain/result';
import { useAction } from './use-action';

describe('useAction', () => {
  it('is busy while the call runs, keeps a failure’s code until the next answer, and hands a value to onOk', async () => {
    const { result } = renderHook(() => useAction());
    let answer!: (r: Result<number>) => void;
    let pending!: Promise<Result<number>>;
    act(() => {
      pending = result.current.run(() => new Promise<Result<number>>((resolve) => (answer = resolve)));
    });
    expect(result.current.busy).toBe(true);
    await act(async () => (answer(err('CARD_PIN_WRONG', 'wrong')), await pending));
    expect(result.current).toMatchObject({ busy: false, error: 'CARD_PIN_WRONG' });

    const got: number[] = [];
    act(() => {
      pending = result.current.run(
        () => new Promise<Result<number>>((resolve) => (answer = resolve)),
        (v) => got.push(v),
      );
    });
    expect(result.current).toMatchObject({ busy: true, error: 'CARD_PIN_WRONG' });
    await act(async () => (answer(ok(42)), await pending));
    expect(result.current).toMatchObject({ busy: false, error: null });
    expect(got).toEqual([42]);
  });
});
