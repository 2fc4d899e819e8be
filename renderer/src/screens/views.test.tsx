// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { MyAccount } from '../../../domain/api/groups/accounts';
import { firstNameCase } from '../components/CardPanel';
import { renderWith } from '../test/setup';
import { DashboardView } from './Dashboard';
import { LockScreen } from './Lock';

afterEach(cleanup);

const mine = (over: Partial<MyAccount['status']> = {}, stale = false): MyAccount => ({
  status: {
    accountId: '00000000-0000-4000-8000-000000000002',
    kind: 'password_delegate',
    displayName: 'Sophie BERNARD',
    state: 'active',
    reason: null,
    explanation: null,
    blockAt: '2027-03-14T00:00:00+01:00',
    daysLeft: 5,
    nextReminderAt: null,
    nextReminderDays: null,
    lastActivity: {
      at: '2026-09-14T09:30:00+02:00',
      method: 'password',
      workstationId: 'w1',
      workstationLabel: 'Bureau',
    },
    createdAt: '2025-01-01T00:00:00+01:00',
    unblockPaths: [],
    passwordExpiresAt: null,
    ...over,
  },
  email: 'compta@cabinet.example',
  security: [
    { id: 'dedicated-mailbox', status: 'ok', detail: null },
    { id: 'password-fresh', status: 'todo', detail: '2027-04-01T10:00:00+02:00' },
    { id: 'credentials-not-shared', status: 'unknown', detail: null },
    { id: 'events-reviewed', status: 'todo', detail: null },
  ],
  fetchedAt: '2027-03-09T08:15:00Z',
  stale,
});

describe('dashboard', () => {
  it('says how to keep the account active the way this person signs in, and what counted as activity', async () => {
    await renderWith(<DashboardView account={mine()} now={new Date('2027-03-09T10:00:00+01:00')} />);
    expect(screen.getByTestId('account-status').textContent).toContain(
      'Une connexion avec votre identifiant et votre mot de passe suffit',
    );
    const last = screen.getByTestId('last-activity');
    expect(last.textContent).toContain('14 septembre 2026 à 09:30');
    expect(last.textContent).toContain('identifiant et mot de passe');
    expect(last.textContent).toContain('Bureau');
  });

  it('each security check has its status and, when something is to do, the action that fixes it', async () => {
    await renderWith(<DashboardView account={mine()} />);
    const list = screen.getByTestId('checklist');
    const pw = list.querySelector('[data-check="password-fresh"]') as HTMLElement;
    expect(within(pw).getByRole('link', { name: 'Changer le mot de passe' }).getAttribute('href')).toBe(
      '/password',
    );
    expect(pw.textContent).toContain('Il expire le 1 avril 2027.');
    const ev = list.querySelector('[data-check="events-reviewed"]') as HTMLElement;
    expect(
      within(ev).getByRole('link', { name: 'Consulter mes derniers événements' }).getAttribute('href'),
    ).toBe('/events');
    // a delegate cannot manage delegations: no link there
    const shared = list.querySelector('[data-check="credentials-not-shared"]') as HTMLElement;
    expect(within(shared).queryByRole('link')).toBeNull();
    expect(list.textContent).toContain('compta@cabinet.example');
  });

  it('a blocked account shows the way out next to it; old data says it may be out of date', async () => {
    await renderWith(
      <DashboardView
        account={mine(
          {
            state: 'blocked',
            reason: 'inactivity',
            daysLeft: -2,
            explanation: 'Aucune connexion depuis 6 mois.',
          },
          true,
        )}
      />,
    );
    expect(screen.getByTestId('status-badge').getAttribute('data-urgency')).toBe('blocked');
    expect(screen.getByRole('link', { name: 'Débloquer mon compte' }).getAttribute('href')).toBe('/unblock');
    expect(screen.getByTestId('stale-note').textContent).toContain('informations connues à 09:15');
  });
});

describe('lock screen', () => {
  it('says why it locked and whose session it is, and offers the way back in', async () => {
    await renderWith(
      <LockScreen
        session={{
          status: 'locked',
          user: {
            accountId: 'a',
            displayName: 'Claire MARTIN',
            kind: 'holder',
            pharmacyName: 'Pharmacie des Tilleuls',
            method: 'card',
          },
          endedBecause: 'idle',
          idleExpiresAt: null,
          absoluteExpiresAt: null,
          passwordChangeRequired: false,
          factorGrace: null,
          remember: { available: true, reason: null, active: false },
        }}
      />,
    );
    const lock = screen.getByTestId('lock-screen');
    expect(lock.textContent).toContain('Session verrouillée après 1 heure sans activité.');
    expect(lock.textContent).toContain('Session de Claire MARTIN · Pharmacie des Tilleuls');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Déverrouiller');
  });
});

describe('names on the card', () => {
  it('first names read from the card are written the usual way', () => {
    expect(firstNameCase('CLAIRE')).toBe('Claire');
    expect(firstNameCase('JEAN-PIERRE')).toBe('Jean-Pierre');
    expect(firstNameCase('ÉLODIE')).toBe('Élodie');
  });
});
