import * as demo from '../backend/demo/people';
import { expect, saveScreen, test } from './fixtures';
import { missing, probe } from './probe';
import { signInWithPassword } from './stories';

// a story starts a web host with its embedded backend and virtual reader: slow on a shared machine
test.describe.configure({ timeout: 180_000 });

const keyAnswers = (demo as Record<string, unknown>).DEMO_SECURITY_KEY as Record<string, string> | undefined;

test.describe('unblock', () => {
  /** Story: a blocked accountant gets through the security-key path. */
  test('a blocked accountant gets through the security-key path', async ({ app, vigie }) => {
    const why =
      (await missing(vigie, [['unblock.eligibility', { identifier: 'marc.leroy', has: {} }]])) ??
      (keyAnswers
        ? null
        : 'the demo people have no security key yet (backend/demo/people.ts exports no DEMO_SECURITY_KEY)');
    test.skip(why !== null, why ?? '');
    await signInWithPassword(app, 'marc.leroy', demo.DEMO_PASSWORD);
    await expect(app.getByTestId('blocked-notice')).toBeVisible({ timeout: 20_000 });
    await app.getByTestId('blocked-notice').getByRole('button').click();
    await app.getByRole('button', { name: 'Continuer' }).click();
    await app.locator('[data-path="security_key"]').getByRole('button').click();
    for (const [id, answer] of Object.entries(keyAnswers!)) {
      // a date is typed the way a person in France would
      const typed = /^\d{4}-\d{2}-\d{2}$/.test(answer) ? answer.split('-').reverse().join('/') : answer;
      await app.locator(`[data-question="${id}"]`).fill(typed);
    }
    await app.getByRole('button', { name: 'Vérifier' }).click();
    await app.getByTestId('new-password').fill('Une nouvelle phrase de passe 2027 !');
    await app.getByTestId('confirm-password').fill('Une nouvelle phrase de passe 2027 !');
    await app.keyboard.press('Enter');
    await expect(app.getByTestId('unblock')).toHaveAttribute('data-stage', 'done');
    await saveScreen(app, 'story-unblock-key');
  });

  /** Story: another accountant through the postal path, with the code taken from the letter. */
  test('a blocked accountant gets through the postal path with the code from the letter', async ({
    app,
    vigie,
  }) => {
    const why = await missing(vigie, [
      ['unblock.postalState', { identifier: 'marc.leroy' }],
      ['demo.lastLetter'],
    ]);
    test.skip(why !== null, why ?? '');
    await app.evaluate(() => (window.location.hash = '#/unblock'));
    await app.getByLabel('Identifiant du compte').fill('marc.leroy');
    await app.keyboard.press('Enter');
    await app.locator('[data-path="postal_code"]').getByRole('button').click();
    await app.getByRole('button', { name: 'Demander le courrier' }).click();
    await expect(app.locator('[data-step="requested"]')).toBeVisible();
    const letter = await probe(vigie, 'demo.lastLetter');
    expect(letter.ok).toBe(true);
    const code = (letter as { value: { code: string } }).value.code;
    await saveScreen(app, 'story-unblock-postal');
    await app.getByTestId('postal-code').fill(code);
    await app.keyboard.press('Enter');
    await app.getByTestId('new-password').fill('Encore une phrase de passe 2027 !');
    await app.getByTestId('confirm-password').fill('Encore une phrase de passe 2027 !');
    await app.keyboard.press('Enter');
    await expect(app.getByTestId('unblock')).toHaveAttribute('data-stage', 'done');
  });
});
