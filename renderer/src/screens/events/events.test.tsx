// @vitest-environment jsdom
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventFilters } from '../../../../domain/api/groups/events';
import { renderWith } from '../../test/setup';
import { Filters } from './Filters';

afterEach(cleanup);

describe('events filters', () => {
  it('the period is typed as « jj/mm/aaaa » in French, and a real date becomes the Paris day’s bounds', async () => {
    const onChange = vi.fn<(f: EventFilters) => void>();
    await renderWith(<Filters value={{}} onChange={onChange} workstations={new Map()} />);
    const from = screen.getByLabelText('Du');
    const to = screen.getByLabelText('Au');
    expect(from.getAttribute('placeholder')).toBe('jj/mm/aaaa');
    expect(to.getAttribute('placeholder')).toBe('jj/mm/aaaa');
    expect(from.getAttribute('type')).not.toBe('date');

    fireEvent.change(from, { target: { value: '17/05/202' } });
    expect(onChange).not.toHaveBeenCalled();
    expect(from.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(from, { target: { value: '17/05/2026' } });
    expect(onChange).toHaveBeenLastCalledWith({ from: '2026-05-16T22:00:00.000Z' });
    expect(from.getAttribute('aria-invalid')).toBe(null);
    fireEvent.change(to, { target: { value: '31/05/2026' } });
    expect(onChange).toHaveBeenLastCalledWith({ to: '2026-05-31T21:59:59.999Z' });
  });

  it('shows « dd/mm/yyyy » in English and a set day the French way', async () => {
    await renderWith(
      <Filters value={{ from: '2026-05-16T22:00:00.000Z' }} onChange={() => {}} workstations={new Map()} />,
      { lang: 'en' },
    );
    const from = screen.getByLabelText('From');
    expect(from.getAttribute('placeholder')).toBe('dd/mm/yyyy');
    expect((from as HTMLInputElement).value).toBe('17/05/2026');
  });

  it('lists the methods and outcomes of the domain’s schemas', async () => {
    await renderWith(
      <Filters value={{}} onChange={() => {}} workstations={new Map([['w1', 'Comptoir 1']])} />,
    );
    const values = (label: string) =>
      [...(screen.getByLabelText(label) as HTMLSelectElement).options].map((o) => o.value);
    expect(values('Méthode')).toEqual([
      '',
      'card',
      'ecps',
      'password',
      'security_key',
      'postal_code',
      'system',
    ]);
    expect(values('Résultat')).toEqual(['', 'success', 'failure', 'info']);
    expect(values('Poste')).toEqual(['', 'w1']);
  });
});
