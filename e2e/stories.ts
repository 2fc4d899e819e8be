import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/** Steps the stories share, done the way a person would (the demo panel plays the card and the phone). */
export async function openDemo(page: Page) {
  const panel = page.getByTestId('demo-panel');
  if (!(await panel.isVisible())) await page.getByTestId('demo-toggle').click();
  await expect(panel).toBeVisible();
  return panel;
}

/**
 * Inserts a demo person's virtual card. If the card does not answer properly, does what the screen tells a
 * person to do (« Retirez la carte et insérez-la de nouveau »), at most twice.
 */
export async function insertDemoCard(page: Page, personKey: string) {
  const panel = await openDemo(page);
  const status = page.getByTestId('card-status');
  for (let attempt = 0; ; attempt++) {
    await panel
      .locator(`[data-person="${personKey}"]`)
      .getByRole('button', { name: /Insérer sa carte|Insert their card/ })
      .click();
    await expect(status).toHaveAttribute('data-status', /present|error/, { timeout: 20_000 });
    if ((await status.getAttribute('data-status')) === 'present' || attempt === 2) break;
    await panel.getByRole('button', { name: /Retirer la carte|Take the card out/ }).click();
    await expect(status).not.toHaveAttribute('data-status', 'error', { timeout: 20_000 });
  }
  await expect(status).toHaveAttribute('data-status', 'present');
}

export async function typePin(page: Page, pin: string) {
  await page.getByTestId('pin-input').fill(pin);
  await page.keyboard.press('Enter');
}

export async function signInWithPassword(page: Page, identifier: string, password: string) {
  await page.getByRole('tab', { name: /Identifiant et mot de passe|Identifier and password/ }).click();
  const form = page.getByTestId('password-signin');
  await form.getByLabel(/^(Identifiant|Identifier)$/).fill(identifier);
  await form.getByLabel(/^(Mot de passe|Password)$/).fill(password);
  await page.keyboard.press('Enter');
}
