// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { fail, fakeClient } from '../test/fake-client';
import { renderWith } from '../test/setup';
import SecurityKey from './SecurityKey';
import Settings from './Settings';
import { SignIn } from './sign-in';
import Unblock from './unblock';

afterEach(cleanup);

const card = (tries: number | null, status = 'present') => ({
  status,
  readers: [
    {
      name: 'Lecteur',
      slot: status === 'present' ? 'present' : 'empty',
      card:
        status === 'present'
          ? {
              kind: 'cps3',
              atr: '3B',
              serial: '1',
              holder: {
                nationalId: '899700012345',
                lastName: 'MARTIN',
                firstName: 'CLAIRE',
                profession: 'Pharmacien',
              },
            }
          : undefined,
    },
  ],
  activeReader: 'Lecteur',
  pinTriesLeft: tries,
  updatedAt: new Date().toISOString(),
});

describe('sign-in with the card', () => {
  it('reacts to the card before anyone clicks, and shows the tries left', async () => {
    const fake = fakeClient({ 'card.getState': () => card(null, 'empty') });
    await renderWith(<SignIn />, { client: fake.client });
    await waitFor(() =>
      expect(screen.getByTestId('card-status').textContent).toBe('Insérez votre carte CPS'),
    );
    expect(screen.queryByTestId('pin-input')).toBeNull();
    act(() => fake.emit('card.state', card(3)));
    expect(screen.getByTestId('card-status').textContent).toBe('Carte de Claire MARTIN');
    expect(screen.getByTestId('pin-tries').textContent).toBe('Il reste 3 essais pour le code porteur');
    expect(screen.getByTestId('pin-input')).toBeTruthy();
  });

  it('digits typed before the card’s holder is read stay typed when it arrives', async () => {
    const unread = card(null);
    const justIn = { ...unread, readers: [{ ...unread.readers[0]!, card: { kind: 'cps3', atr: '3B' } }] };
    const fake = fakeClient({ 'card.getState': () => justIn });
    await renderWith(<SignIn />, { client: fake.client });
    const input = await screen.findByTestId('pin-input');
    fireEvent.change(input, { target: { value: '12' } });
    act(() => fake.emit('card.state', card(3)));
    expect(screen.getByTestId('card-status').textContent).toBe('Carte de Claire MARTIN');
    expect((screen.getByTestId('pin-input') as HTMLInputElement).value).toBe('12');
    // pulled out: the digits go with the card
    act(() => fake.emit('card.state', card(null, 'empty')));
    act(() => fake.emit('card.state', card(3)));
    expect((screen.getByTestId('pin-input') as HTMLInputElement).value).toBe('');
  });

  it('a wrong PIN says so with the tries left; the PIN is sent once and cleared', async () => {
    let tries = 3;
    const fake = fakeClient({
      'card.getState': () => card(tries),
      'card.verifyPinAndSignIn': () => {
        tries -= 1;
        fake.emit('card.state', card(tries));
        return fail('CARD_PIN_WRONG');
      },
    });
    await renderWith(<SignIn />, { client: fake.client });
    const input = await screen.findByTestId<HTMLInputElement>('pin-input');
    expect(input.type).toBe('password');
    // the on-screen pad types too
    for (const d of ['1', '2', '3', '5']) fireEvent.click(screen.getByRole('button', { name: d }));
    expect(input.value).toBe('1235');
    await act(async () => {
      fireEvent.submit(input.form!);
    });
    expect(fake.calls.filter((c) => c.channel === 'card.verifyPinAndSignIn')).toEqual([
      { channel: 'card.verifyPinAndSignIn', req: { pin: '1235' } },
    ]);
    expect(input.value).toBe('');
    const wrong = screen.getByTestId('pin-wrong');
    expect(wrong.textContent).toContain('Code porteur incorrect.');
    expect(within(wrong).getByTestId('pin-tries').textContent).toBe('Il reste 2 essais pour le code porteur');
  });

  it('a blocked card PIN is told apart from a blocked account, with the PUK way out', async () => {
    const fake = fakeClient({ 'card.getState': () => card(0) });
    await renderWith(<SignIn />, { client: fake.client });
    const blocked = await screen.findByTestId('pin-blocked');
    expect(blocked.textContent).toContain('C’est la carte qui est bloquée, pas votre compte amelipro.');
    fireEvent.click(within(blocked).getByRole('button'));
    expect(screen.getByTestId('puk-flow').textContent).toContain('8 chiffres');
  });
});

describe('sign-in with a password', () => {
  it('wrong credentials: what happened and what to do, no code on screen', async () => {
    const fake = fakeClient({ 'session.signInWithPassword': () => fail('INVALID_CREDENTIALS') });
    await renderWith(<SignIn initialMethod="password" />, { client: fake.client });
    fireEvent.change(screen.getByLabelText('Identifiant'), { target: { value: 'sophie.bernard' } });
    fireEvent.change(screen.getByLabelText('Mot de passe'), { target: { value: 'faux' } });
    await act(async () => {
      fireEvent.submit(screen.getByTestId('password-signin'));
    });
    const err = screen.getByTestId('signin-error');
    expect(err.textContent).toContain('Identifiant ou mot de passe incorrect.');
    expect(err.textContent).not.toContain('INVALID_CREDENTIALS');
  });

  it('a blocked account shows the way out on the same screen', async () => {
    const fake = fakeClient({
      'session.signInWithPassword': () => ({
        status: 'blocked',
        reason: 'inactivity',
        explanation: '…',
        unblockPaths: ['security_key', 'postal_code'],
        identifier: 'marc.leroy',
      }),
    });
    await renderWith(<SignIn initialMethod="password" />, { client: fake.client });
    fireEvent.change(screen.getByLabelText('Identifiant'), { target: { value: 'marc.leroy' } });
    fireEvent.change(screen.getByLabelText('Mot de passe'), { target: { value: 'x' } });
    await act(async () => {
      fireEvent.submit(screen.getByTestId('password-signin'));
    });
    const notice = screen.getByTestId('blocked-notice');
    expect(notice.textContent).toContain('n’a pas été utilisé depuis plus de 6 mois');
    expect(within(notice).getByRole('button', { name: 'Débloquer mon compte' })).toBeTruthy();
  });
});

describe('sign-in with a password: stay signed in if Vigie restarts', () => {
  const signedOut = (remember: {
    available: boolean;
    reason: 'keychain-unavailable' | null;
    active: boolean;
  }) => ({
    status: 'signed-out',
    user: null,
    endedBecause: null,
    idleExpiresAt: null,
    absoluteExpiresAt: null,
    passwordChangeRequired: false,
    remember,
  });
  const fill = () => {
    fireEvent.change(screen.getByLabelText('Identifiant'), { target: { value: 'sophie.bernard' } });
    fireEvent.change(screen.getByLabelText('Mot de passe'), { target: { value: 'x' } });
  };
  const sent = (fake: ReturnType<typeof fakeClient>) =>
    fake.calls.filter((c) => c.channel === 'session.signInWithPassword').map((c) => c.req);

  it('is offered unticked with a keychain; ticked, the sign-in asks to remember', async () => {
    const fake = fakeClient({
      'session.getState': () => signedOut({ available: true, reason: null, active: false }),
      'session.signInWithPassword': () => fail('INVALID_CREDENTIALS'),
    });
    await renderWith(<SignIn initialMethod="password" />, { client: fake.client });
    const box = await screen.findByRole('checkbox', {
      name: 'Rester connecté si Vigie redémarre (4 h au plus)',
    });
    expect((box as HTMLInputElement).checked).toBe(false);
    expect((box as HTMLInputElement).disabled).toBe(false);
    expect(screen.getByTestId('remember-help').textContent).toContain('4 h au plus après la connexion');
    fill();
    await act(async () => {
      fireEvent.submit(screen.getByTestId('password-signin'));
    });
    // unticked: nothing asked
    expect(sent(fake)).toEqual([{ identifier: 'sophie.bernard', password: 'x' }]);
    fireEvent.click(box);
    expect((box as HTMLInputElement).checked).toBe(true);
    fill();
    await act(async () => {
      fireEvent.submit(screen.getByTestId('password-signin'));
    });
    expect(sent(fake)[1]).toEqual({ identifier: 'sophie.bernard', password: 'x', remember: true });
  });

  it('without a keychain it is disabled and the screen says why; the sign-in goes on without it', async () => {
    const fake = fakeClient({
      'session.getState': () =>
        signedOut({ available: false, reason: 'keychain-unavailable', active: false }),
      'session.signInWithPassword': () => fail('INVALID_CREDENTIALS'),
    });
    await renderWith(<SignIn initialMethod="password" />, { client: fake.client });
    const box = await screen.findByRole('checkbox', {
      name: 'Rester connecté si Vigie redémarre (4 h au plus)',
    });
    expect((box as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByTestId('remember-unavailable').textContent).toBe(
      'Le trousseau du système n’est pas disponible : Vigie ne peut pas garder votre session après sa fermeture.',
    );
    expect(box.getAttribute('aria-describedby')).toBe(screen.getByTestId('remember-unavailable').id);
    fireEvent.click(box); // a click on the disabled box changes nothing that is sent
    fill();
    await act(async () => {
      fireEvent.submit(screen.getByTestId('password-signin'));
    });
    expect(sent(fake)).toEqual([{ identifier: 'sophie.bernard', password: 'x' }]);
  });

  it('is not shown on the card form, nor before the core says whether a keychain is there', async () => {
    const fake = fakeClient({
      'card.getState': () => card(3),
      'session.getState': () => signedOut({ available: true, reason: null, active: false }),
    });
    await renderWith(<SignIn />, { client: fake.client });
    await screen.findByTestId('pin-input');
    expect(screen.queryByTestId('remember')).toBeNull();
    cleanup();
    await renderWith(<SignIn initialMethod="password" />, { client: fakeClient().client });
    expect(screen.getByTestId('password-signin')).toBeTruthy();
    expect(screen.queryByTestId('remember')).toBeNull();
  });
});

describe('unblock wizard', () => {
  it('asks the backend which paths work and shows only those, then the postal path with the letter’s journey', async () => {
    const fake = fakeClient({
      'card.getState': () => card(null, 'empty'),
      'unblock.eligibility': () => ({ paths: ['postal_code', 'security_key'], securityKeyTriesLeft: 2 }),
      'unblock.postalState': () => ({
        status: 'none',
        requestedAt: null,
        printedAt: null,
        expectedBy: null,
        expiresAt: null,
        nextRequestAt: null,
        reference: null,
      }),
      'unblock.requestPostalCode': () => ({
        status: 'requested',
        requestedAt: '2027-02-01T10:00:00Z',
        printedAt: null,
        expectedBy: '2027-02-04T10:00:00Z',
        expiresAt: '2027-02-11T10:00:00Z',
        nextRequestAt: '2027-02-03T10:00:00Z',
        reference: 'VG-1',
      }),
    });
    await renderWith(<Unblock />, { client: fake.client, path: '/unblock' });
    fireEvent.change(screen.getByLabelText('Identifiant du compte'), { target: { value: 'marc.leroy' } });
    await act(async () => {
      fireEvent.submit(screen.getByLabelText('Identifiant du compte').closest('form')!);
    });
    expect(fake.calls.find((c) => c.channel === 'unblock.eligibility')?.req).toEqual({
      identifier: 'marc.leroy',
      has: { card: false },
    });
    const paths = screen.getAllByRole('listitem').map((l) => l.getAttribute('data-path'));
    expect(paths).toEqual(['security_key', 'postal_code']);
    // An identifier alone proves nothing: the same choice for everyone, and no count of tries that would tell
    // a stranger about the account behind it.
    expect(screen.getByText(/Ces façons sont proposées pour tout identifiant/)).toBeTruthy();
    expect(screen.queryByText(/Il reste \d+ essais? pour la clé de sécurité/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Recevoir un code par courrier' }));
    await waitFor(() => expect(fake.calls.map((c) => c.channel)).toContain('unblock.postalState'));
    await act(async () => {});
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Demander le courrier' }));
    });
    expect(screen.getByRole('list', { name: 'Le trajet du courrier' }).textContent).toContain(
      'À saisir avant le 11 février 2027',
    );
    expect(screen.getByTestId('postal-code')).toBeTruthy();
  });
});

describe('settings', () => {
  it('checks the server address before saving, and saves the workstation settings', async () => {
    const saved: unknown[] = [];
    const fake = fakeClient({
      'settings.get': () => ({
        language: 'fr',
        backendUrl: '',
        readerName: '',
        reminderDays: [30, 7, 1],
        startAtLogin: false,
        workstationLabel: 'Comptoir 1',
      }),
      'settings.update': (req) => (
        saved.push(req),
        {
          language: 'fr',
          backendUrl: '',
          readerName: '',
          reminderDays: [30, 7, 1],
          startAtLogin: true,
          workstationLabel: 'Comptoir 1',
        }
      ),
    });
    await renderWith(<Settings />, { client: fake.client, path: '/settings' });
    const form = await screen.findByTestId('settings-form');
    expect(within(form).getByRole('checkbox', { name: '14 jours avant' })).toBeTruthy();
    expect(within(form).getByRole('switch', { name: 'Démarrer Vigie avec l’ordinateur' })).toBeTruthy();
    fireEvent.change(within(form).getByLabelText('Adresse du serveur des comptes'), {
      target: { value: 'ftp://x' },
    });
    expect(within(form).getByText(/doit commencer par https/)).toBeTruthy();
    fireEvent.change(within(form).getByLabelText('Adresse du serveur des comptes'), {
      target: { value: 'https://comptes.pharmacie.example' },
    });
    await act(async () => {
      fireEvent.submit(form);
    });
    expect(saved).toEqual([
      {
        backendUrl: 'https://comptes.pharmacie.example',
        readerName: '',
        reminderDays: [30, 7, 1],
        startAtLogin: false,
        workstationLabel: 'Comptoir 1',
      },
    ]);
    expect(screen.getByText('Réglages enregistrés.')).toBeTruthy();
  });
});

describe('security key', () => {
  const questions = () => ({
    questions: [
      { id: 'birth_date', kind: 'date' },
      { id: 'practice_postal_code', kind: 'postal-code' },
      { id: 'iban_last4', kind: 'digits', length: 4 },
    ],
  });
  const session = (method: 'password' | 'card') => ({
    status: 'signed-in',
    user: {
      accountId: 'a1',
      displayName: 'Sophie BERNARD',
      kind: method === 'card' ? 'holder' : 'password_delegate',
      pharmacyName: 'Pharmacie des Tilleuls',
      method,
    },
    endedBecause: null,
    idleExpiresAt: null,
    absoluteExpiresAt: null,
    passwordChangeRequired: false,
    remember: { available: true, reason: null, active: false },
  });
  const fill = (label: string | RegExp, value: string) =>
    fireEvent.change(screen.getByLabelText(label), { target: { value } });

  it('a password account confirms with its password; answers are checked at their field before sending', async () => {
    const fake = fakeClient({
      'session.getState': () => session('password'),
      'unblock.securityKeyQuestions': questions,
      'accounts.setSecurityKey': () => ({ setAt: '2027-03-02T09:00:00Z' }),
    });
    await renderWith(<SecurityKey />, { client: fake.client, path: '/security-key' });
    await screen.findByTestId('security-key-form');
    fill('Date de naissance', '31/02/1979');
    fill('Code postal de la pharmacie', '75 011');
    fill('Les 4 derniers chiffres de l’IBAN de la pharmacie', '4821');
    fill('Mot de passe actuel', 'Tilleuls-Demo-2027!');
    await act(async () => {
      fireEvent.submit(screen.getByTestId('security-key-form'));
    });
    // a day that does not exist costs nothing: it is said at its field, and nothing is sent
    expect(screen.getByText(/Une date qui existe, sous la forme JJ\/MM\/AAAA/)).toBeTruthy();
    expect(fake.calls.filter((c) => c.channel === 'accounts.setSecurityKey')).toEqual([]);
    fill('Date de naissance', '14/07/1979');
    fill('Mot de passe actuel', 'Tilleuls-Demo-2027!');
    await act(async () => {
      fireEvent.submit(screen.getByTestId('security-key-form'));
    });
    expect(fake.calls.find((c) => c.channel === 'accounts.setSecurityKey')?.req).toEqual({
      answers: { birth_date: '1979-07-14', practice_postal_code: '75011', iban_last4: '4821' },
      currentPassword: 'Tilleuls-Demo-2027!',
    });
    expect(screen.getByText('Clé de sécurité enregistrée le 2 mars 2027.')).toBeTruthy();
  });

  it('after a card sign-in no password is asked; when the sign-in is too old, the password is', async () => {
    const fake = fakeClient({
      'session.getState': () => session('card'),
      'unblock.securityKeyQuestions': questions,
      'accounts.setSecurityKey': (req) =>
        (req as { currentPassword?: string }).currentPassword
          ? { setAt: '2027-03-02T09:00:00Z' }
          : fail('FRESH_PROOF_REQUIRED'),
    });
    await renderWith(<SecurityKey />, { client: fake.client, path: '/security-key' });
    await screen.findByTestId('security-key-form');
    expect(screen.queryByLabelText('Mot de passe actuel')).toBeNull();
    fill('Date de naissance', '14/07/1979');
    fill('Code postal de la pharmacie', '75011');
    fill('Les 4 derniers chiffres de l’IBAN de la pharmacie', '4821');
    await act(async () => {
      fireEvent.submit(screen.getByTestId('security-key-form'));
    });
    expect(screen.getByText('Cette modification demande de confirmer que c’est bien vous.')).toBeTruthy();
    fill('Mot de passe actuel', 'Tilleuls-Demo-2027!');
    await act(async () => {
      fireEvent.submit(screen.getByTestId('security-key-form'));
    });
    expect(screen.getByText('Clé de sécurité enregistrée le 2 mars 2027.')).toBeTruthy();
  });
});
