import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/** Steps the stories share, done the way a person would (the demo panel plays the card and the phone). */
export async function openDemo(page: Page) {
  const panel = page.getByTestId('demo-panel');
  if (!(await panel.isVisible())) await page.getByTestId('demo-toggle').click();
  await expect(panel).toBeVisible();
  return panel;
}

export async function insertDemoCard(page: Page, personKey: string) {
  const panel = await openDemo(page);
  await panel.locator(`[data-person="${personKey}"]`).getByRole('button').click();
  await expect(page.getByTestId('card-status')).toHaveAttribute('data-status', 'present', { timeout: 20_000 });
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
