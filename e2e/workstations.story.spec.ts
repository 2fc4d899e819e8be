import { realPart } from '../scripts/real-parts';
import { randomUUID } from 'node:crypto';
import { expect, saveScreen } from './fixtures';
import { probe } from './probe';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../backend/demo/people';
import { HEADER_WORKSTATION, HEADER_WORKSTATION_LABEL } from '../domain/backend-api';
import { hasKeyringTools, withKeyring } from './keyring';
import { signInWithPassword } from './stories';

// a story starts a web host with its embedded backend and virtual reader: slow on a shared machine
withKeyring.describe.configure({ timeout: 180_000 });

/**
 * Story: a back-office computer is replaced. Sophie is still signed in on it; the holder withdraws it from
 * « Comptes de la pharmacie » at the counter. Sophie's session there ends at once and that computer cannot sign in
 * again. The back-office computer is a plain HTTP client of the same backend, with its own workstation id. The web
 * host has a real Secret Service (a private gnome-keyring), so this workstation holds its key and registered it.
 */
withKeyring(
  'the holder withdraws a workstation: its session ends and it cannot sign in again',
  async ({ app, vigie }) => {
    withKeyring.skip(
      !realPart(
        hasKeyringTools,
        'dbus-daemon or gnome-keyring-daemon is not installed: the workstation has no key to register',
      ),
    );
    const status = await probe(vigie, 'backend.getStatus');
    expect(status.ok).toBe(true);
    const backend = `http://${(status as { value: { address: string } }).value.address}`;
    const backOffice = {
      [HEADER_WORKSTATION]: randomUUID(),
      [HEADER_WORKSTATION_LABEL]: 'Poste arrière-boutique',
      'content-type': 'application/json',
    };
    const sophie = DEMO_PEOPLE.accountantSoon;
    const signInThere = () =>
      fetch(`${backend}/v1/auth/password`, {
        method: 'POST',
        headers: backOffice,
        body: JSON.stringify({ identifier: sophie.identifier, password: DEMO_PASSWORD }),
      });
    const opened = await signInThere();
    expect(opened.status).toBe(200);
    const { token } = (await opened.json()) as { token: string };

    // The holder, at the counter: this workstation registered itself at start.
    await signInWithPassword(app, DEMO_PEOPLE.holder.identifier, DEMO_PASSWORD);
    await app.getByRole('link', { name: 'Comptes de la pharmacie' }).click({ timeout: 20_000 });
    const panel = app.getByTestId('pharmacy-workstations');
    const row = panel.getByTestId('workstation-row').filter({ hasText: 'Poste arrière-boutique' });
    await expect(row).toContainText('Sophie BERNARD');
    await expect(row).toContainText('1 session ouverte');
    const here = panel
      .getByTestId('workstation-row')
      .filter({ has: app.locator('.chip', { hasText: 'Ce poste' }) });
    await expect(here).toContainText('Clé du poste enregistrée le');
    await expect(here.getByRole('button', { name: 'Retirer ce poste' })).toHaveCount(0);
    await row.scrollIntoViewIfNeeded();
    await saveScreen(app, 'story-workstations');

    await row.getByRole('button', { name: 'Retirer ce poste' }).click();
    const dialog = app.getByRole('alertdialog');
    await expect(dialog).toContainText('La session ouverte sur ce poste se termine tout de suite');
    // Cancel has the focus: a stray Enter at a busy counter withdraws nothing.
    await expect(dialog.getByRole('button', { name: 'Annuler' })).toBeFocused();
    await saveScreen(app, 'story-workstation-withdraw');
    await dialog.getByRole('button', { name: 'Retirer le poste' }).click();
    await expect(panel.locator('.state-success')).toContainText(
      'Le poste « Poste arrière-boutique » est retiré.',
    );
    await expect(row).toContainText('Retiré le');
    await expect(row.getByRole('button', { name: 'Retirer ce poste' })).toHaveCount(0);

    // On the back-office computer: the session is over, and signing in again is refused.
    const after = await fetch(`${backend}/v1/me/status`, {
      headers: { ...backOffice, authorization: `Bearer ${token}` },
    });
    expect(after.status).toBe(401);
    const again = await signInThere();
    expect(again.status).toBe(401);
    expect(((await again.json()) as { code: string }).code).toBe('WORKSTATION_REVOKED');

    // The holder's own events log says what was done.
    await app.getByRole('link', { name: 'Derniers événements' }).click();
    await expect(app.getByTestId('event-row').first()).toContainText('Poste retiré', { timeout: 20_000 });
  },
);
