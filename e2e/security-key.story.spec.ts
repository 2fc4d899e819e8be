import { DEMO_PASSWORD, DEMO_PEOPLE } from '../backend/demo/people';
import { expect, saveScreen, test } from './fixtures';
import { missing } from './probe';
import { signInWithPassword } from './stories';

// a story starts a web host with its embedded backend and virtual reader: slow on a shared machine
test.describe.configure({ timeout: 180_000 });

/**
 * Story: an accountant records her security key. The session alone is not enough: a wrong current password is
 * refused; the right one records the key, and both tries are in her events log.
 */
test('an accountant records her security key, confirmed by her password', async ({ app, vigie }) => {
  const why = await missing(vigie, [['accounts.setSecurityKey', { answers: {} }]]);
  test.skip(why !== null, why ?? '');
  await signInWithPassword(app, DEMO_PEOPLE.accountantSoon.identifier, DEMO_PASSWORD);
  await app.getByRole('link', { name: 'Clé de sécurité' }).click({ timeout: 20_000 });
  const form = app.getByTestId('security-key-form');
  await form.getByLabel('Date de naissance').fill('03/11/1985');
  await form.getByLabel('Code postal de la pharmacie').fill('69003');
  await form.getByLabel('Les 4 derniers chiffres de l’IBAN de la pharmacie').fill('1207');
  await form.getByLabel('Mot de passe actuel').fill('Pas-le-bon-mot-de-passe-1');
  await form.getByRole('button', { name: 'Enregistrer ma clé de sécurité' }).click();
  await expect(form.getByTestId('error-state')).toHaveAttribute('data-code', 'INVALID_CREDENTIALS');
  await saveScreen(app, 'story-security-key-refused');
  await form.getByLabel('Mot de passe actuel').fill(DEMO_PASSWORD);
  await form.getByRole('button', { name: 'Enregistrer ma clé de sécurité' }).click();
  await expect(app.getByText(/^Clé de sécurité enregistrée le /)).toBeVisible();
  await saveScreen(app, 'story-security-key');
  await app.getByRole('link', { name: 'Derniers événements' }).click();
  await expect(app.getByTestId('event-row').filter({ hasText: 'Clé de sécurité enregistrée' })).toHaveCount(
    1,
  );
  await expect(
    app.getByTestId('event-row').filter({ hasText: 'Clé de sécurité non enregistrée' }),
  ).toHaveCount(1);
});
