/**
 * Steps of the password sign-in with a second factor, shared by the second-factor stories: the password, then the
 * screen that asks for a code (the second step, or the enrolment that starts with a mailed code); the codes mailed
 * to the demo mailbox; the demo clock; an authenticator app's codes, computed with the same library as an app.
 */
import type { Locator, Page } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';
import { DEMO_PASSWORD } from '../../backend/demo/people';
import { expectNoSeriousA11yIssues } from '../a11y';
import { expect, saveScreen, type VigieApp } from '../fixtures';
import { probe } from '../probe';
import { signInWithPassword } from '../stories';

/** A demo person who signs in with a password. */
export interface PasswordPerson {
  key: string;
  identifier: string | null;
}

const MAIL_CODE = /^Votre code Vigie : ([0-9]{6})$/;

/** The demo person's mailbox (the `.eml` outbox of the embedded backend). */
export async function mailbox(vigie: VigieApp, person: PasswordPerson) {
  const r = await probe(vigie, 'demo.mailbox', { personId: person.key });
  return (r as { value: { mails: { subject: string; text: string }[] } }).value.mails;
}

/** Every code Vigie mailed to the person so far. */
export async function mailedCodes(vigie: VigieApp, person: PasswordPerson) {
  return (await mailbox(vigie, person))
    .map((m) => MAIL_CODE.exec(m.subject)?.[1])
    .filter(Boolean) as string[];
}

/** The one code that arrived since `before` (the mailbox lists the newest first or last: either works). */
export async function nextMailedCode(vigie: VigieApp, person: PasswordPerson, before: string[]) {
  let code = '';
  await expect(async () => {
    const fresh = (await mailedCodes(vigie, person)).filter((c) => !before.includes(c));
    expect(fresh).toHaveLength(1);
    code = fresh[0]!;
  }).toPass({ timeout: 30_000 });
  return code;
}

/**
 * Moves the demo clock (the backend's and the core's) forward; answers how far ahead of this machine's clock it
 * now is, for the codes an app would show then.
 */
export async function moveDemoClock(vigie: VigieApp, minutes: number) {
  const moved = await probe(vigie, 'demo.advanceClock', { minutes });
  expect(moved.ok, JSON.stringify(moved)).toBe(true);
  return new Date((moved as { value: { now: string } }).value.now).getTime() - Date.now();
}

/** The code an authenticator app holding `key` shows now on the demo clock (`offset` ahead of this machine). */
export const appCode = (key: string, offset: number, laterMs = 0) =>
  new TOTP({ secret: Secret.fromBase32(key) }).generate({ timestamp: Date.now() + offset + laterMs });

/** Six digits no app holding `key` accepts now (none of the current, previous or next windows' codes). */
export function wrongAppCode(key: string, offset: number, i: number) {
  const near = new Set([-30_000, 0, 30_000].map((d) => appCode(key, offset, d)));
  let c = String((123_457 * (i + 1)) % 1_000_000).padStart(6, '0');
  while (near.has(c)) c = String((Number(c) + 1) % 1_000_000).padStart(6, '0');
  return c;
}

/** The password, then the second step of an enrolled account. */
export async function passwordThenSecondStep(page: Page, person: PasswordPerson): Promise<Locator> {
  await signInWithPassword(page, person.identifier!, DEMO_PASSWORD);
  const verify = page.getByTestId('second-step');
  await expect(verify).toBeVisible({ timeout: 20_000 });
  return verify;
}

/** The password, then the enrolment, which starts with the code mailed to the dedicated address. */
export async function passwordThenEnrolment(page: Page, person: PasswordPerson): Promise<Locator> {
  await signInWithPassword(page, person.identifier!, DEMO_PASSWORD);
  const enrol = page.getByTestId('enrol-mail');
  await expect(enrol).toBeVisible({ timeout: 20_000 });
  return enrol;
}

/** Types a code in a code field and presses Enter, as a person does. */
export async function typeCode(page: Page, form: Locator, fieldTestId: string, code: string) {
  await form.getByTestId(fieldTestId).fill(code);
  await page.keyboard.press('Enter');
}

/** Signs out from the signed-in home. */
export async function signOut(page: Page) {
  await page.getByTestId('sign-out').click();
}

/**
 * The pharmacy's grace period starts at a password sign-in and ends 30 days later: the person signs in with her
 * password alone, signs out, and the demo clock moves 31 days. Answers the demo clock's offset.
 */
export async function endGrace(page: Page, vigie: VigieApp, person: PasswordPerson) {
  await signInWithPassword(page, person.identifier!, DEMO_PASSWORD);
  await expect(page.getByTestId('sign-out')).toBeVisible({ timeout: 20_000 });
  await signOut(page);
  return moveDemoClock(vigie, 31 * 24 * 60);
}

/** Ten recovery codes, noted, then the session begins. Answers the codes. */
export async function noteRecoveryCodes(page: Page) {
  const codes = page.getByTestId('recovery-codes');
  await expect(codes.locator('li')).toHaveCount(10, { timeout: 20_000 });
  const all = (await codes.locator('li').allTextContents()).map((c) => c.trim());
  await codes.getByLabel("J'ai noté ces codes en lieu sûr").check();
  await codes.getByRole('button', { name: 'Continuer' }).click();
  await expect(page.getByTestId('sign-out')).toBeVisible({ timeout: 20_000 });
  return all;
}

/**
 * The owner enrols an authenticator app at sign-in: her password, the code mailed to her dedicated address, the key
 * for manual entry, the app's first code, the recovery codes noted. She is then signed in. Answers the app's key.
 */
export async function enrolAuthenticator(
  page: Page,
  vigie: VigieApp,
  person: PasswordPerson,
  offset: number,
) {
  const enrol = await passwordThenEnrolment(page, person);
  const before = await mailedCodes(vigie, person);
  await enrol.getByRole('button', { name: 'Recevoir le code par e-mail' }).click();
  await expect(enrol.getByTestId('factor-code-sent')).toContainText('Code envoyé');
  await enrol.getByTestId('enrol-mail-code').fill(await nextMailedCode(vigie, person, before));
  await enrol.getByRole('button', { name: /application d'authentification/ }).click();
  const appStep = page.getByTestId('enrol-app');
  await expect(appStep.getByTestId('enrol-qr')).toBeVisible({ timeout: 20_000 });
  const key = ((await appStep.getByTestId('enrol-key').textContent()) ?? '').replace(/\s/g, '');
  expect(key).toMatch(/^[A-Z2-7]{32}$/);
  await typeCode(page, appStep, 'enrol-first-code', appCode(key, offset));
  await noteRecoveryCodes(page);
  return key;
}

/** The owner's recent events, as the app lists them (« Mon compte » › « Derniers événements »). */
export async function openEvents(page: Page) {
  await page.getByRole('link', { name: 'Mon compte', exact: true }).click({ timeout: 20_000 });
  await page.getByRole('link', { name: 'Derniers événements', exact: true }).click();
  await expect(page.getByTestId('event-row').first()).toBeVisible({ timeout: 20_000 });
  return page.getByTestId('event-row');
}

/** The screen's screenshot in French, then in English (checked with axe there too), then back to French. */
export async function inEnglishToo(page: Page, name: string) {
  await saveScreen(page, name);
  await page.getByRole('radio', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expectNoSeriousA11yIssues(page, `${name} (English)`);
  await saveScreen(page, name);
  await page.getByRole('radio', { name: 'Français' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
}
