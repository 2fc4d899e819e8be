// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reminder } from '../../../domain/api/groups/reminders';
import type { AccountStatus, VigieEvent } from '../../../domain/backend-api/schemas';
import { AccountsList } from '../screens/accounts';
import { StatusSentence } from '../screens/Dashboard';
import { PathChoice, LetterJourney } from '../screens/unblock';
import { renderWith } from '../test/setup';
import { EventsTable } from './EventsTable';
import { ReminderBanner, ReminderDialog } from './Reminders';
import { Timeline } from './Timeline';
import { ConfirmDialog, ErrorState } from './ui';
import { ThisWorkstationView, WorkstationsList } from './Workstations';

afterEach(cleanup);

const DAY = 86_400_000;
const NOW = new Date('2027-02-19T10:00:00+01:00');
function status(over: Partial<AccountStatus> = {}): AccountStatus {
  return {
    accountId: '00000000-0000-4000-8000-000000000001',
    kind: 'holder',
    displayName: 'Claire Martin',
    state: 'active',
    reason: null,
    explanation: null,
    blockAt: '2027-03-14T00:00:00+01:00',
    daysLeft: 23,
    nextReminderAt: null,
    nextReminderDays: null,
    lastActivity: {
      at: '2026-09-14T09:30:00+02:00',
      method: 'card',
      workstationId: 'w1',
      workstationLabel: 'Comptoir 1',
    },
    createdAt: '2025-01-01T00:00:00+01:00',
    unblockPaths: [],
    passwordExpiresAt: null,
    ...over,
  };
}

describe('dates and the block date', () => {
  it('says the date and the days left, in French then in English', async () => {
    await renderWith(<StatusSentence status={status()} />);
    expect(screen.getByTestId('status-sentence').textContent).toBe(
      'Votre compte sera bloqué le 14 mars 2027 (dans 23 jours).',
    );
    cleanup();
    await renderWith(<StatusSentence status={status({ daysLeft: 1 })} />, { lang: 'en' });
    expect(screen.getByTestId('status-sentence').textContent).toBe(
      'Your account will be blocked on 14 March 2027 (in 1 day).',
    );
  });

  it('a blocked account says since when and why', async () => {
    await renderWith(
      <StatusSentence
        status={status({
          state: 'blocked',
          reason: 'inactivity',
          daysLeft: -3,
          blockAt: '2027-03-14T00:00:00+01:00',
        })}
      />,
    );
    expect(screen.getByTestId('status-sentence').textContent).toContain('Bloqué depuis le 14 mars 2027');
  });

  it('the timeline marks today, the urgency colour, and names the last activity for screen readers', async () => {
    await renderWith(<Timeline status={status()} now={NOW} />);
    const fig = screen.getByTestId('timeline');
    expect(fig.getAttribute('data-urgency')).toBe('d30');
    const img = within(fig).getByRole('img');
    expect(img.getAttribute('aria-label')).toContain('par carte CPS, sur Comptoir 1');
    expect(img.getAttribute('aria-label')).toContain('dans 23 jours');
    const today = fig.querySelector<HTMLElement>('.timeline-today')!;
    const left = parseFloat(today.style.left);
    expect(left).toBeGreaterThan(80);
    expect(left).toBeLessThan(95);
  });

  it('a suspicious block shows its own state, not the inactivity clock and its future block date', async () => {
    await renderWith(
      <Timeline
        status={status({
          state: 'blocked',
          reason: 'suspicious',
          daysLeft: 60,
          blockAt: '2027-05-17T00:00:00+02:00',
        })}
        now={NOW}
      />,
    );
    const fig = screen.getByTestId('timeline');
    expect(fig.getAttribute('data-urgency')).toBe('blocked');
    expect(fig.getAttribute('data-state')).toBe('suspicious');
    expect(fig.textContent).toContain('bloqué : considéré comme suspect');
    expect(fig.textContent).not.toContain('17 mai');
    expect(fig.querySelector('.timeline-today')).toBe(null);
    expect(fig.querySelector('.timeline-tick')).toBe(null);
    expect(within(fig).getByRole('img').getAttribute('aria-label')).toContain('considéré comme suspect');
  });
});

describe('pharmacy accounts', () => {
  it('are sorted by urgency: blocked first, then the fewest days left', async () => {
    const list = [
      status({ accountId: '1', displayName: 'Active', daysLeft: 120 }),
      status({ accountId: '2', displayName: 'Five days', daysLeft: 5, kind: 'password_delegate' }),
      status({
        accountId: '3',
        displayName: 'Blocked',
        daysLeft: -10,
        state: 'blocked',
        reason: 'inactivity',
        kind: 'card_delegate',
      }),
      status({ accountId: '4', displayName: 'Twenty', daysLeft: 20, kind: 'card_delegate' }),
    ];
    await renderWith(<AccountsList accounts={list} onRevoke={() => {}} />);
    const rows = screen.getAllByTestId('account-row').map((r) => r.getAttribute('data-account'));
    expect(rows).toEqual(['Blocked', 'Five days', 'Twenty', 'Active']);
    // the blocked one shows its way out next to it; the holder cannot be revoked
    expect(screen.getByTestId('way-out').textContent).toContain('carte');
    expect(screen.getAllByRole('button', { name: 'Retirer l’accès' })).toHaveLength(3);
  });
});

describe('workstations', () => {
  const ws = (over: Record<string, unknown> = {}) => ({
    id: 'bbbbbbbb-0000-4000-8000-000000000002',
    label: 'Comptoir 2',
    firstSeenAt: '2026-01-10T09:00:00Z',
    lastSeenAt: '2027-02-18T17:45:00Z',
    registeredAt: '2026-01-10T09:00:00Z',
    revokedAt: null,
    lastUsedBy: 'Julien Petit',
    openSessions: 2,
    current: false,
    ...over,
  });
  it('the holder may withdraw a workstation, not the one in use nor one already withdrawn', async () => {
    const asked: string[] = [];
    await renderWith(
      <WorkstationsList
        workstations={[
          ws({ id: 'a', label: 'Comptoir 1', current: true, openSessions: 1 }),
          ws(),
          ws({
            id: 'c',
            label: 'Ancien poste',
            revokedAt: '2027-01-19T10:00:00Z',
            registeredAt: null,
            openSessions: 0,
          }),
        ]}
        onRevoke={(w) => asked.push(w.label)}
      />,
    );
    const rows = screen.getAllByTestId('workstation-row');
    expect(within(rows[0]!).getByText('Ce poste')).toBeTruthy();
    expect(within(rows[1]!).getByText(/Dernière connexion le 18\/02\/2027.*Julien Petit/)).toBeTruthy();
    expect(within(rows[1]!).getByText(/2 sessions ouvertes/)).toBeTruthy();
    expect(within(rows[2]!).getByText(/Retiré le 19 janvier 2027/)).toBeTruthy();
    expect(within(rows[2]!).getByText(/Clé du poste non enregistrée/)).toBeTruthy();
    const buttons = screen.getAllByRole('button', { name: 'Retirer ce poste' });
    expect(buttons).toHaveLength(1);
    fireEvent.click(buttons[0]!);
    expect(asked).toEqual(['Comptoir 2']);
  });
  it('a withdrawal is confirmed in an alert dialog: the action runs only when chosen', async () => {
    const done: string[] = [];
    await renderWith(
      <ConfirmDialog
        isOpen
        title="Retirer le poste « Comptoir 2 » ?"
        body="Les 2 sessions ouvertes sur ce poste se terminent tout de suite."
        confirmLabel="Retirer le poste"
        error="WORKSTATION_REVOKED"
        onConfirm={() => done.push('confirm')}
        onCancel={() => done.push('cancel')}
      />,
    );
    const dialog = screen.getByRole('alertdialog');
    expect(within(dialog).getByText(/Les 2 sessions ouvertes/)).toBeTruthy();
    expect(within(dialog).getByText('Ce poste a été retiré par le titulaire de la pharmacie.')).toBeTruthy();
    expect(done).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Retirer le poste' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Annuler' }));
    expect(done).toEqual(['confirm', 'cancel']);
  });
  it('the confirmation says how many sessions end, none included', async () => {
    const i18n = (await import('../i18n')).default;
    expect(i18n.t('workstations.revokeHelp', { count: 0, lng: 'fr' })).toMatch(/^Aucune session/);
    expect(i18n.t('workstations.revokeHelp', { count: 1, lng: 'fr' })).toMatch(/^La session ouverte/);
    expect(i18n.t('workstations.revokeHelp', { count: 3, lng: 'fr' })).toMatch(/^Les 3 sessions ouvertes/);
    expect(i18n.t('workstations.revokeHelp', { count: 0, lng: 'en' })).toMatch(/^No session/);
  });
  it('this workstation says whether its key is registered and, without a keychain, what that costs', async () => {
    await renderWith(
      <ThisWorkstationView
        w={{
          id: 'x',
          label: 'Comptoir 1',
          keychain: { available: false, reason: 'no Secret Service' },
          hasKey: false,
          registeredAt: null,
          labelPending: false,
          revokedAt: null,
        }}
      />,
    );
    expect(screen.getByTestId('ws-keychain').textContent).toContain('Indisponible');
    expect(screen.getByTestId('ws-registration').textContent).toContain('Non enregistré');
    expect(screen.getByText(/ne peut ni garder votre session/)).toBeTruthy();
    cleanup();
    await renderWith(
      <ThisWorkstationView
        w={{
          id: 'x',
          label: 'Comptoir 1',
          keychain: { available: true, reason: null },
          hasKey: true,
          registeredAt: '2026-05-04T08:00:00Z',
          labelPending: false,
          revokedAt: '2027-02-01T08:00:00Z',
        }}
      />,
    );
    expect(screen.getByTestId('ws-registration').textContent).toContain(
      'Retiré par le titulaire le 1 février 2027',
    );
    expect(screen.queryByText(/ne peut ni garder/)).toBeNull();
  });
});

describe('unblock paths', () => {
  it('shows only the paths that can work, in the order of the rules, each with what it needs and how long', async () => {
    await renderWith(<PathChoice paths={['postal_code', 'security_key']} onChoose={() => {}} />);
    const items = screen.getAllByRole('listitem');
    expect(items.map((i) => i.getAttribute('data-path'))).toEqual(['security_key', 'postal_code']);
    expect(items[0]!.textContent).toContain('vos informations personnelles');
    expect(items[0]!.textContent).toContain('quelques minutes');
    expect(items[1]!.textContent).toContain('2 à 5 jours par la poste');
    expect(items[0]!.textContent).toContain('La plus rapide');
  });

  it('says « La plus rapide » only when there is a choice', async () => {
    await renderWith(<PathChoice paths={['postal_code']} onChoose={() => {}} />);
    expect(screen.getAllByRole('listitem')[0]!.textContent).not.toContain('La plus rapide');
  });

  it('the letter’s journey shows where the letter is and the date to type the code before', async () => {
    await renderWith(
      <LetterJourney
        state={{
          status: 'in-post',
          requestedAt: '2027-02-01T10:00:00Z',
          printedAt: '2027-02-01T12:00:00Z',
          expectedBy: '2027-02-04T10:00:00Z',
          expiresAt: '2027-02-11T10:00:00Z',
          nextRequestAt: null,
          reference: 'VG-1',
        }}
      />,
    );
    const steps = screen.getAllByRole('listitem');
    expect(steps.map((s) => s.className)).toEqual([
      'step step-done',
      'step step-done',
      'step step-current',
      'step step-current',
    ]);
    expect(steps[3]!.textContent).toContain('À saisir avant le 11 février 2027');
  });
});

describe('reminders', () => {
  const r = (urgency: Reminder['urgency'], daysLeft: number, name: string): Reminder => ({
    accountId: name,
    displayName: name,
    urgency,
    blockAt: new Date(NOW.getTime() + daysLeft * DAY).toISOString(),
    daysLeft,
    stale: false,
    checkedAt: NOW.toISOString(),
    snoozedUntil: null,
  });
  it('a calm banner from D-30, a stronger one at D-7, nothing when active', async () => {
    await renderWith(
      <ReminderBanner reminders={[r('active', 90, 'A'), r('d30', 25, 'B'), r('d7', 5, 'C')]} now={NOW} />,
    );
    const banner = screen.getByTestId('reminder-banner');
    expect(banner.textContent).not.toContain('A :');
    expect(within(banner).getByRole('status').textContent).toContain(
      'B : le compte sera bloqué le 16 mars 2027 (dans 25 jours)',
    );
    expect(within(banner).getByRole('alert').textContent).toContain('dans 5 jours');
  });
  it('a dialog at D-1, closed with Escape, and « later » snoozes it', async () => {
    const snoozed: string[] = [];
    await renderWith(
      <ReminderDialog
        reminders={[r('d1', 1, 'Cabinet Dupont')]}
        onSnooze={(id) => snoozed.push(id)}
        now={NOW}
      />,
    );
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('Cabinet Dupont sera bloqué le');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Me le rappeler dans 4 heures' }));
    expect(snoozed).toEqual(['Cabinet Dupont']);
    await act(async () => {});
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });
});

describe('errors', () => {
  it('say what happened and what to do, never the code', async () => {
    await renderWith(<ErrorState code="CARD_PIN_BLOCKED" />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('pas votre compte');
    expect(alert.textContent).not.toContain('CARD_PIN_BLOCKED');
    cleanup();
    await renderWith(<ErrorState code="CERT_KEY_USAGE" />, { lang: 'en' });
    expect(screen.getByRole('alert').textContent).toContain('Something unexpected happened.');
  });
});

describe('events table', () => {
  const events: VigieEvent[] = Array.from({ length: 100_000 }, (_, i) => ({
    id: i + 1,
    accountId: '00000000-0000-4000-8000-000000000001',
    seq: i + 1,
    at: new Date(NOW.getTime() - i * 3600_000).toISOString(),
    type: i % 7 === 0 ? 'sign_in_failed' : 'sign_in',
    method: 'card',
    outcome: i % 7 === 0 ? 'failure' : 'success',
    workstationId: 'w1',
    workstationLabel: 'Comptoir 1',
    ip: null,
    appVersion: null,
    cardSerial: null,
    details: {},
  }));
  it('renders only the rows on screen for 100 000 events, and the keyboard moves the selection', async () => {
    const picked: number[] = [];
    // jsdom has no layout: give the scroll box the size Chromium would
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 480 });
    Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 800 });
    await renderWith(
      <EventsTable
        events={events}
        selectedId={null}
        onSelect={(e) => picked.push(e.id)}
        height={480}
        label="log"
      />,
    );
    const rows = await screen.findAllByTestId('event-row');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(rows[0]!.getAttribute('aria-setsize')).toBe('100000');
    fireEvent.keyDown(screen.getByRole('listbox'), { key: 'ArrowDown' });
    expect(picked).toEqual([1]);
  });
});
