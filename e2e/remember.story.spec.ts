import { DEMO_PASSWORD, DEMO_PEOPLE } from '../backend/demo/people';
import { expect, saveScreen, test as base } from './fixtures';
import { hasKeyringTools, withKeyring } from './keyring';
import { realPart } from '../scripts/real-parts';
import { signInWithPassword } from './stories';

// a story starts a web host with its embedded backend and virtual reader (twice here): slow on a shared machine
base.describe.configure({ timeout: 240_000 });

const LABEL = 'Rester connecté si Vigie redémarre (4 h au plus)';

/** Story: Sophie asks to stay signed in; Vigie restarts and she is still in; once she signs out, a restart asks again. */
withKeyring('stay signed in if Vigie restarts, until signing out', async ({ app, vigie }) => {
  withKeyring.skip(
    !realPart(
      hasKeyringTools,
      'dbus-daemon or gnome-keyring-daemon is not installed: no Secret Service to keep the session in',
    ),
  );
  const sophie = DEMO_PEOPLE.accountantSoon;
  await app.getByRole('tab', { name: 'Identifiant et mot de passe' }).click();
  const remember = app.getByRole('checkbox', { name: LABEL });
  await expect(remember).toBeEnabled({ timeout: 20_000 });
  await expect(remember).not.toBeChecked();
  await app.getByText(LABEL).click();
  await expect(remember).toBeChecked();
  await saveScreen(app, 'story-remember');
  await signInWithPassword(app, sophie.identifier, DEMO_PASSWORD);
  await expect(app.getByTestId('who')).toContainText('Sophie BERNARD', { timeout: 20_000 });

  // Vigie quits and starts again: no sign-in asked.
  await vigie.restart();
  await app.goto(vigie.url);
  await expect(app.getByTestId('who')).toContainText('Sophie BERNARD', { timeout: 20_000 });
  await expect(app.getByTestId('sign-out')).toBeVisible();

  // She signs out: the next start shows the sign-in screen.
  await app.getByTestId('sign-out').click();
  await expect(app.getByRole('heading', { level: 1 })).toHaveText('Connexion');
  await vigie.restart();
  await app.goto(vigie.url);
  await expect(app.getByRole('heading', { level: 1 })).toHaveText('Connexion', { timeout: 20_000 });
  await expect(app.getByTestId('sign-out')).toHaveCount(0);
  expect(vigie.logs()).not.toMatch(/Bearer|"token":"/);
});

const withoutKeyring = base.extend({
  vigieEnv: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/vigie-bus' },
});

/** Story: on a workstation without a keychain, the choice is shown disabled with the reason; the sign-in works. */
withoutKeyring('without a keychain, staying signed in is not offered, calmly', async ({ app }) => {
  await app.getByRole('tab', { name: 'Identifiant et mot de passe' }).click();
  await expect(app.getByRole('checkbox', { name: LABEL })).toBeDisabled({ timeout: 20_000 });
  await expect(app.getByTestId('remember-unavailable')).toHaveText(
    'Le trousseau du système n’est pas disponible : Vigie ne peut pas garder votre session après sa fermeture.',
  );
  await saveScreen(app, 'story-remember-no-keychain');
  await signInWithPassword(app, DEMO_PEOPLE.accountantSoon.identifier, DEMO_PASSWORD);
  await expect(app.getByTestId('who')).toContainText('Sophie BERNARD', { timeout: 20_000 });
});
