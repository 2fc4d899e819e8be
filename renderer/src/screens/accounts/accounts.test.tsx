// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountStatus } from '../../../../domain/backend-api/schemas';
import { fail, fakeClient } from '../../test/fake-client';
import { renderWith } from '../../test/setup';
import Accounts from '.';

afterEach(cleanup);

const DAY = 86_400_000;
const soon = (days: number) => new Date(Date.now() + days * DAY).toISOString();
const account = (
  accountId: string,
  displayName: string,
  kind: AccountStatus['kind'],
  extra: Partial<AccountStatus> = {},
): AccountStatus => ({
  accountId,
  kind,
  displayName,
  state: 'active',
  reason: null,
  explanation: null,
  blockAt: soon(100),
  daysLeft: 100,
  nextReminderAt: null,
  nextReminderDays: null,
  lastActivity: null,
  createdAt: soon(-80),
  unblockPaths: [],
  passwordExpiresAt: kind === 'password_delegate' ? soon(90) : null,
  delegationEndsOn: null,
  ...extra,
});
const HOLDER = account('00000000-0000-4000-8000-000000000001', 'Claire MARTIN', 'holder');
const SOPHIE = account('00000000-0000-4000-8000-000000000002', 'Sophie BERNARD', 'password_delegate');
const JULIEN = account('00000000-0000-4000-8000-000000000003', 'Julien PETIT', 'card_delegate');

const session = (kind: AccountStatus['kind'], method: 'card' | 'password') => ({
  status: 'signed-in',
  user: { accountId: HOLDER.accountId, displayName: 'X', kind, pharmacyName: 'P', method },
  endedBecause: null,
  idleExpiresAt: null,
  absoluteExpiresAt: null,
  passwordChangeRequired: false,
  remember: { available: false, reason: null, active: false },
});

/** The holder's screen, with the core's answers as the backend gives them. */
function holderCore(over: Record<string, (req: unknown) => unknown> = {}) {
  let grace = { graceEndsAt: '2099-01-14T10:00:00.000Z', extendable: true };
  let kind: 'totp' | null = 'totp';
  return fakeClient({
    'session.getState': () => session('holder', 'card'),
    'accounts.listPharmacy': () => ({ accounts: [HOLDER, SOPHIE, JULIEN] }),
    'accounts.listWorkstations': () => ({ workstations: [] }),
    'accounts.pharmacyFactors': () => ({
      grace,
      inGrace: true,
      delegates: [
        { accountId: SOPHIE.accountId, kind, enrolledAt: kind ? '2026-11-20T10:00:00.000Z' : null },
      ],
    }),
    'accounts.extendFactorGrace': () =>
      (grace = { graceEndsAt: '2099-02-13T10:00:00.000Z', extendable: false }),
    'accounts.resetDelegateFactor': () => ((kind = null), { reset: true }),
    ...over,
  });
}
const row = (name: string) =>
  screen.getAllByTestId('account-row').find((r) => r.getAttribute('data-account') === name)!;

describe('the holder’s controls of the second factor', () => {
  it('shows until when a password alone is accepted, and extends it once by 30 days', async () => {
    const fake = holderCore();
    await renderWith(<Accounts />, { client: fake.client });
    const grace = await screen.findByTestId('factor-grace');
    expect(within(grace).getByTestId('grace-end').textContent).toBe(
      'Mot de passe seul accepté jusqu’au 14 janvier 2099',
    );
    expect(grace.textContent).toContain('Possible une seule fois.');
    await act(async () => {
      fireEvent.click(within(grace).getByRole('button', { name: 'Prolonger de 30 jours' }));
    });
    await waitFor(() =>
      expect(within(grace).getByTestId('grace-end').textContent).toBe(
        'Mot de passe seul accepté jusqu’au 13 février 2099',
      ),
    );
    expect(within(grace).queryByRole('button', { name: 'Prolonger de 30 jours' })).toBeNull();
    expect(grace.textContent).toContain('Délai prolongé de 30 jours. Ce n’était possible qu’une fois.');
    expect(fake.calls.filter((c) => c.channel === 'accounts.extendFactorGrace')).toHaveLength(1);
  });

  it('once the grace is over (by the core’s clock), says the factor is required since that date', async () => {
    const fake = holderCore({
      'accounts.pharmacyFactors': () => ({
        grace: { graceEndsAt: '2026-10-01T10:00:00.000Z', extendable: false },
        inGrace: false,
        delegates: [{ accountId: SOPHIE.accountId, kind: null, enrolledAt: null }],
      }),
    });
    await renderWith(<Accounts />, { client: fake.client });
    const grace = await screen.findByTestId('factor-grace');
    expect(within(grace).getByTestId('grace-end').textContent).toBe(
      'Mot de passe seul accepté jusqu’au 1 octobre 2026 : depuis, le second facteur est demandé.',
    );
    expect(grace.textContent).toContain('Ce délai a déjà été prolongé une fois');
    expect(within(grace).queryByRole('button')).toBeNull();
    expect(within(row('Sophie BERNARD')).getByTestId('delegate-factor').textContent).toContain(
      'Il lui sera demandé d’en choisir un à sa prochaine connexion',
    );
  });

  it('resets a delegate’s factor after a confirmation that says what happens; the row then shows none', async () => {
    const fake = holderCore();
    await renderWith(<Accounts />, { client: fake.client });
    await screen.findByTestId('delegate-factor');
    const sophie = row('Sophie BERNARD');
    expect(within(sophie).getByTestId('delegate-factor').textContent).toContain(
      'Second facteur : une application d’authentification, depuis le 20 novembre 2026.',
    );
    // only a password delegate has a second factor to reset
    expect(within(row('Julien PETIT')).queryByTestId('delegate-factor')).toBeNull();
    expect(within(row('Claire MARTIN')).queryByTestId('delegate-factor')).toBeNull();
    fireEvent.click(within(sophie).getByRole('button', { name: 'Réinitialiser le second facteur' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('Réinitialiser le second facteur de Sophie BERNARD ?');
    expect(dialog.textContent).toContain('avec un code envoyé à son adresse e-mail dédiée');
    expect(dialog.textContent).toContain('Sophie BERNARD et vous recevez un e-mail.');
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Réinitialiser' }));
    });
    await waitFor(() =>
      expect(within(sophie).getByTestId('delegate-factor').getAttribute('data-factor')).toBe('none'),
    );
    expect(within(sophie).getByTestId('delegate-factor').textContent).toContain(
      'Pas de second facteur pour l’instant.',
    );
    expect(within(sophie).queryByRole('button', { name: 'Réinitialiser le second facteur' })).toBeNull();
    expect(fake.calls.find((c) => c.channel === 'accounts.resetDelegateFactor')?.req).toEqual({
      accountId: SOPHIE.accountId,
    });
  });

  it('a password session is refused the reset: the screen says calmly to sign in with the card', async () => {
    const fake = holderCore({
      'session.getState': () => session('holder', 'password'),
      'accounts.resetDelegateFactor': () => fail('FRESH_PROOF_REQUIRED'),
    });
    await renderWith(<Accounts />, { client: fake.client });
    await screen.findByTestId('delegate-factor');
    const sophie = row('Sophie BERNARD');
    fireEvent.click(within(sophie).getByRole('button', { name: 'Réinitialiser le second facteur' }));
    const dialog = await screen.findByRole('alertdialog');
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Réinitialiser' }));
    });
    const refusal = await within(sophie).findByTestId('error-state');
    expect(refusal.textContent).toContain('demande une connexion avec votre carte CPS ou votre e-CPS');
    expect(refusal.textContent).not.toContain('FRESH_PROOF_REQUIRED');
    expect(within(sophie).getByTestId('delegate-factor').getAttribute('data-factor')).toBe('totp');
  });
});

describe('a delegate who lands on the pharmacy’s accounts', () => {
  it('sees her own access without any of the holder’s buttons', async () => {
    const fake = fakeClient({
      'session.getState': () => session('password_delegate', 'password'),
      'accounts.listPharmacy': () => ({ accounts: [SOPHIE] }),
    });
    await renderWith(<Accounts />, { client: fake.client });
    await screen.findByTestId('account-row');
    expect(screen.getByTestId('holder-only-note').textContent).toBe(
      'Seul le titulaire du compte voit et gère les accès de la pharmacie.',
    );
    for (const name of [
      'Retirer l’accès',
      'Fixer une fin de contrat',
      'Accorder une délégation',
      'Réinitialiser le second facteur',
      'Prolonger de 30 jours',
    ])
      expect(screen.queryByRole('button', { name })).toBeNull();
    expect(screen.queryByTestId('factor-grace')).toBeNull();
    expect(fake.calls.map((c) => c.channel)).not.toContain('accounts.pharmacyFactors');
    expect(fake.calls.map((c) => c.channel)).not.toContain('accounts.listWorkstations');
  });
});
