import { expect, saveScreen, test } from './fixtures';

// the web host with its embedded backend starts in about 10 s on a quiet machine, more on a loaded one
test.describe.configure({ timeout: 180_000 });

/**
 * Story: Vigie installed without the demo, before anyone configured the IGC-Santé roots or Pro Santé Connect. The
 * sign-in screen says so on the card and e-CPS tabs before anyone types a PIN, and points to the ways that work.
 */
test.describe('outside demo mode', () => {
  test.use({ vigieEnv: { VIGIE_DEMO: '0' } });

  test('the sign-in screen says card and e-CPS sign-in are not set up on this server yet', async ({
    app,
  }) => {
    await expect(app.getByRole('heading', { level: 1 })).toHaveText('Connexion');
    await expect(app.getByRole('button', { name: 'Cartes de démonstration' })).toHaveCount(0);
    await expect(app.getByTestId('card-not-offered')).toContainText(
      'les autorités de certification IGC-Santé n’y sont pas installées',
      { timeout: 20_000 },
    );
    await saveScreen(app, 'signin-card-not-offered');
    await app.getByRole('tab', { name: 'e-CPS' }).click();
    await expect(app.getByTestId('ecps-not-offered')).toContainText(
      'Pro Santé Connect n’y est pas configuré',
    );
    await app.getByRole('tab', { name: 'Identifiant et mot de passe' }).click();
    await expect(app.getByRole('textbox', { name: 'Identifiant' })).toBeVisible();
  });
});
