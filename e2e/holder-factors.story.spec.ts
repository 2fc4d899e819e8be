import type { Page } from '@playwright/test';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../backend/demo/people';
import { expectNoSeriousA11yIssues } from './a11y';
import { expect, saveScreen, test, type VigieApp } from './fixtures';
import { missing, probe } from './probe';
import { insertDemoCard, signInWithPassword, typePin } from './stories';

// a story starts a web host with its embedded backend and virtual reader: slow on a shared machine
test.describe.configure({ timeout: 300_000 });

const SOPHIE = DEMO_PEOPLE.accountantSoon;
const DAY = 86_400_000;
const HOLDER_BUTTONS = [
  'Retirer l’accès',
  'Fixer une fin de contrat',
  'Changer la fin de contrat',
  'Accorder une délégation',
  'Réinitialiser le second facteur',
  'Prolonger de 30 jours',
];

type Mail = { subject: string; text: string };
const mailbox = async (vigie: VigieApp, personId: string) => {
  const r = await probe(vigie, 'demo.mailbox', { personId });
  expect(r.ok, JSON.stringify(r)).toBe(true);
  return (r as { value: { mails: Mail[] } }).value.mails;
};
const codesIn = async (vigie: VigieApp) =>
  (await mailbox(vigie, SOPHIE.key))
    .map((m) => /^Votre code Vigie : ([0-9]{6})$/.exec(m.subject)?.[1])
    .filter(Boolean) as string[];

/** The same screen in English, for its screenshot, then back to French. */
async function inEnglishToo(app: Page, name: string) {
  await saveScreen(app, name);
  await app.getByRole('radio', { name: 'English' }).click();
  await expect(app.getByRole('heading', { level: 1 })).toHaveText('Pharmacy accounts');
  await expectNoSeriousA11yIssues(app, `${name} (English)`);
  await saveScreen(app, name);
  await app.getByRole('radio', { name: 'Français' }).click();
  await expect(app.getByRole('heading', { level: 1 })).toHaveText('Comptes de la pharmacie');
}

async function holderSignsIn(app: Page) {
  await insertDemoCard(app, 'holder');
  await typePin(app, '1234');
  // she lands where the workstation was (the dashboard, or the page the last person left open)
  await expect(app.getByTestId('sign-out')).toBeVisible({ timeout: 20_000 });
  await app.getByRole('link', { name: 'Comptes de la pharmacie' }).click();
  await expect(app.getByRole('heading', { level: 1 })).toHaveText('Comptes de la pharmacie');
}
async function holderSignsOut(app: Page, vigie: VigieApp) {
  await app.getByTestId('sign-out').click();
  await probe(vigie, 'demo.removeCard');
  await expect(app.getByRole('heading', { level: 1 })).toHaveText('Connexion', { timeout: 20_000 });
}

/**
 * Story: the holder, with her card, extends the pharmacy's grace period once (the date moves 30 days; the button
 * goes). After it, the accountant enrols a second factor at her sign-in; on the pharmacy's accounts she sees her
 * own access and none of the holder's buttons. The holder resets her factor: both are mailed, her row says she has
 * none, and her next sign-in asks her to enrol again through her mailbox. Real core, real backend, keyboard for the
 * holder's actions.
 */
test('the holder extends the grace once and resets an accountant’s second factor; a delegate sees no holder button', async ({
  app,
  vigie,
}) => {
  const why = await missing(vigie, [
    ['demo.insertCard', { personId: 'holder', profile: 'cps3' }],
    ['demo.removeCard'],
    ['demo.mailbox', { personId: SOPHIE.key }],
  ]);
  test.skip(why !== null, why ?? '');

  // 1. The accountant's first password sign-in starts the pharmacy's grace period.
  await signInWithPassword(app, SOPHIE.identifier, DEMO_PASSWORD);
  await expect(app.getByTestId('grace-banner')).toContainText(/obligatoire dans 30 jours/, {
    timeout: 20_000,
  });
  await app.getByTestId('sign-out').click();

  // 2. The holder sees until when a password alone is accepted, and extends it once, keyboard only.
  await holderSignsIn(app);
  const grace = app.getByTestId('factor-grace');
  const end = grace.getByTestId('grace-end');
  await expect(end).toContainText(/^Mot de passe seul accepté jusqu’au \d+ \S+ \d{4}$/);
  const before = new Date((await end.getAttribute('data-ends-at'))!).getTime();
  const sophie = app.locator('[data-testid="account-row"][data-account="Sophie BERNARD"]');
  // she signed in with her password alone: no factor yet
  await expect(sophie.getByTestId('delegate-factor')).toHaveAttribute('data-factor', 'none');
  await expectNoSeriousA11yIssues(app, 'pharmacy accounts with the grace period');
  await saveScreen(app, 'story-holder-factors-grace');
  const extend = grace.getByRole('button', { name: 'Prolonger de 30 jours' });
  await extend.focus();
  await app.keyboard.press('Enter');
  await expect(extend).toHaveCount(0);
  await expect(end).not.toHaveAttribute('data-ends-at', new Date(before).toISOString());
  const after = new Date((await end.getAttribute('data-ends-at'))!).getTime();
  expect(after - before).toBe(30 * DAY);
  await expect(grace).toContainText('Délai prolongé de 30 jours.');
  await expectNoSeriousA11yIssues(app, 'grace period extended');
  await inEnglishToo(app, 'story-holder-factors-grace-extended');
  // once only: on the next visit the screen says so, still without the button
  await app.getByRole('link', { name: 'Mon compte', exact: true }).click();
  await app.getByRole('link', { name: 'Comptes de la pharmacie' }).click();
  await expect(grace).toContainText('Ce délai a déjà été prolongé une fois');
  await expect(grace.getByRole('button', { name: 'Prolonger de 30 jours' })).toHaveCount(0);
  await holderSignsOut(app, vigie);

  // 3. After the extended grace, the accountant's password leads to enrolment: the code mailed to her address.
  expect((await probe(vigie, 'demo.advanceClock', { minutes: 61 * 24 * 60 })).ok).toBe(true);
  await signInWithPassword(app, SOPHIE.identifier, DEMO_PASSWORD);
  const enrol = app.getByTestId('enrol-mail');
  await expect(enrol).toBeVisible({ timeout: 20_000 });
  const nextCode = async (seen: string[]) => {
    let code = '';
    await expect(async () => {
      const fresh = (await codesIn(vigie)).filter((c) => !seen.includes(c));
      expect(fresh).toHaveLength(1);
      code = fresh[0]!;
    }).toPass({ timeout: 30_000 });
    return code;
  };
  const seen = await codesIn(vigie);
  await enrol.getByRole('button', { name: 'Recevoir le code par e-mail' }).click();
  await enrol.getByTestId('enrol-mail-code').fill(await nextCode(seen));
  await enrol.getByRole('button', { name: 'Recevoir un code par e-mail à chaque connexion' }).click();
  const codes = app.getByTestId('recovery-codes');
  await expect(codes.locator('li')).toHaveCount(10, { timeout: 20_000 });
  await codes.getByLabel("J'ai noté ces codes en lieu sûr").check();
  await codes.getByRole('button', { name: 'Continuer' }).click();
  await expect(app.getByTestId('sign-out')).toBeVisible({ timeout: 20_000 });

  // 4. A delegate who lands on the pharmacy's accounts sees her own access, and none of the holder's buttons.
  await expect(app.getByRole('link', { name: 'Comptes de la pharmacie' })).toHaveCount(0);
  await app.evaluate(() => (window.location.hash = '#/accounts'));
  await expect(app.getByRole('heading', { level: 1 })).toHaveText('Comptes de la pharmacie');
  await expect(app.getByTestId('account-row')).toHaveCount(1);
  await expect(app.getByTestId('account-row')).toHaveAttribute('data-account', 'Sophie BERNARD');
  await expect(app.getByTestId('holder-only-note')).toBeVisible();
  for (const name of HOLDER_BUTTONS) await expect(app.getByRole('button', { name })).toHaveCount(0);
  await expect(app.getByTestId('factor-grace')).toHaveCount(0);
  await expect(app.getByTestId('error-state')).toHaveCount(0);
  await expectNoSeriousA11yIssues(app, 'pharmacy accounts seen by a delegate');
  await inEnglishToo(app, 'story-holder-factors-delegate-view');
  await app.getByTestId('sign-out').click();
  await expect(app.getByRole('heading', { level: 1 })).toHaveText('Connexion', { timeout: 20_000 });

  // 5. The holder resets her factor, keyboard only, after a confirmation that says what happens.
  await holderSignsIn(app);
  const factor = sophie.getByTestId('delegate-factor');
  await expect(factor).toHaveAttribute('data-factor', 'email');
  await expect(factor).toContainText('Second facteur : un code envoyé par e-mail, depuis le');
  await sophie.getByRole('button', { name: 'Réinitialiser le second facteur' }).focus();
  await app.keyboard.press('Enter');
  const dialog = app.getByRole('alertdialog');
  await expect(dialog).toContainText('Réinitialiser le second facteur de Sophie BERNARD ?');
  await expect(dialog).toContainText(
    'Il lui sera demandé d’en choisir un à sa prochaine connexion, avec un code envoyé à son adresse e-mail dédiée.',
  );
  await expect(dialog).toContainText('Sophie BERNARD et vous recevez un e-mail.');
  await expectNoSeriousA11yIssues(app, 'reset confirmation');
  await saveScreen(app, 'story-holder-factors-reset-confirm');
  // the focus starts on « Annuler »; the confirmation is the button before it
  await expect(dialog.getByRole('button', { name: 'Annuler' })).toBeFocused();
  await app.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Réinitialiser', exact: true })).toBeFocused();
  await app.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(factor).toHaveAttribute('data-factor', 'none');
  await expect(factor).toContainText('Pas de second facteur pour l’instant.');
  await expect(sophie).toContainText('Le second facteur de Sophie BERNARD est réinitialisé.');
  await expect(sophie.getByRole('button', { name: 'Réinitialiser le second facteur' })).toHaveCount(0);
  await expectNoSeriousA11yIssues(app, 'second factor reset');
  await inEnglishToo(app, 'story-holder-factors-reset');

  // both are mailed
  await expect(async () => {
    expect((await mailbox(vigie, SOPHIE.key)).map((m) => m.subject)).toContain(
      'Votre second facteur amelipro a été réinitialisé',
    );
    expect((await mailbox(vigie, 'holder')).map((m) => m.subject)).toContain(
      'Second facteur de Sophie BERNARD réinitialisé',
    );
  }).toPass({ timeout: 30_000 });
  await holderSignsOut(app, vigie);

  // 6. Her next sign-in asks her to enrol again, through her mailbox.
  await signInWithPassword(app, SOPHIE.identifier, DEMO_PASSWORD);
  await expect(app.getByTestId('enrol-mail')).toBeVisible({ timeout: 20_000 });
  await expect(app.getByTestId('enrol-mail')).toContainText('s•••@demo.vigie.invalid');
  await saveScreen(app, 'story-holder-factors-enrol-again');
});
