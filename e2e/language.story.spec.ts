import en from '../renderer/src/i18n/en';
import fr from '../renderer/src/i18n/fr';
import { expectNoSeriousA11yIssues } from './a11y';
import { expect, saveScreen, test } from './fixtures';

// a story starts a web host with its embedded backend and virtual reader: slow on a shared machine
test.describe.configure({ timeout: 180_000 });

function leaves(o: unknown): string[] {
  if (typeof o !== 'object' || o === null) return [String(o)];
  return Object.values(o).flatMap(leaves);
}
// French texts that differ from English and are long enough to be recognised on screen (no {{vars}}).
const enSet = new Set(leaves(en));
const FRENCH = leaves(fr).filter((s) => !enSet.has(s) && !s.includes('{{') && s.length >= 8);

/** Story: switching to English changes every visible string, on every screen reachable before signing in. */
test('switching to English leaves no French on screen', async ({ app }) => {
  await expect(app.getByRole('heading', { level: 1 })).toHaveText('Connexion');
  await app.getByRole('radio', { name: 'English' }).click();
  await expect(app.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  for (const hash of ['#/', '#/unblock', '#/settings']) {
    await app.evaluate((h) => (window.location.hash = h), hash);
    await expect(app.getByRole('heading', { level: 1 })).toBeVisible();
    await app.waitForTimeout(300);
    const text = await app.locator('body').innerText();
    expect(
      FRENCH.filter((s) => text.includes(s)),
      `French left on ${hash}`,
    ).toEqual([]);
    await expectNoSeriousA11yIssues(app, hash);
    await saveScreen(app, `story-english-${hash.replace(/[#/]/g, '') || 'signin'}`);
  }
});
