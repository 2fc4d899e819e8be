import type { Page } from '@playwright/test';
import { expectNoSeriousA11yIssues } from './a11y';
import { ACCOUNTS, cardState, FakeCore, reminder, SIGNED_IN } from './fake-core';
import { expect, saveScreen, test } from './fixtures';

// each test starts a web host and walks several screens with axe: slow on a shared machine
test.describe.configure({ timeout: 180_000 });

/**
 * Every screen, in French then English, with its data from a stand-in core (see fake-core.ts): what a person
 * sees, axe-checked, and saved as a screenshot artifact. The stories against the real core are in *.story.spec.ts.
 */
const serving: FakeCore[] = [];
test.afterEach(async () => {
  await Promise.all(serving.splice(0).map((f) => f.close()));
});
async function start(page: Page, setup?: (f: FakeCore) => void) {
  const fake = new FakeCore();
  setup?.(fake);
  serving.push(fake);
  await page.goto(await fake.serve());
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  return fake;
}
const go = (page: Page, hash: string) => page.evaluate((h) => (window.location.hash = h), hash);

for (const lang of ['fr', 'en'] as const) {
  test.describe(`screens (${lang})`, () => {
    test('sign-in: the card, the PIN pad, e-CPS and password', async ({ page }) => {
      const fake = await start(page, (f) => (f.state.language = lang));
      await expect(page.getByTestId('card-status')).toHaveText(
        lang === 'fr' ? 'Carte de Claire MARTIN' : 'Card of Claire MARTIN',
      );
      await expect(page.getByTestId('pin-tries')).toContainText('3');
      await expectNoSeriousA11yIssues(page, 'sign-in');
      await saveScreen(page, 'signin-card');

      // wrong PIN: tries left go down, the card (not the account) blocks at the third
      await page.getByTestId('pin-input').fill('0000');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('pin-wrong')).toBeVisible();
      await expect(page.getByTestId('pin-tries-dots').last()).toHaveAttribute('data-left', '2');
      await saveScreen(page, 'signin-pin-wrong');
      await page.getByTestId('pin-input').fill('0000');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('pin-tries-dots').last()).toHaveAttribute('data-left', '1');
      await page.getByTestId('pin-input').fill('0000');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('pin-blocked')).toBeVisible();
      await expectNoSeriousA11yIssues(page, 'pin blocked');
      await saveScreen(page, 'signin-pin-blocked');
      await page.getByTestId('pin-blocked').getByRole('button').click();
      await expect(page.getByTestId('puk-flow')).toBeVisible();
      await expectNoSeriousA11yIssues(page, 'puk');
      await saveScreen(page, 'signin-puk');

      fake.setCard(cardState('empty'));
      await expect(page.getByTestId('card-status')).toHaveAttribute('data-status', 'empty');
      await saveScreen(page, 'signin-empty');
      fake.setCard(cardState('no-reader'));
      await expect(page.getByTestId('card-status')).toHaveAttribute('data-status', 'no-reader');
      await saveScreen(page, 'signin-no-reader');

      await page.getByRole('tab', { name: 'e-CPS' }).click();
      await page
        .getByLabel(lang === 'fr' ? 'Numéro RPPS ou ADELI' : 'RPPS or ADELI number')
        .fill('810001234567');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('ecps-pending')).toContainText('VIGIE-4821');
      await expect(page.getByTestId('ecps-never-by-phone')).toContainText(
        lang === 'fr' ? 'ne vous demanderont jamais par téléphone' : 'will ever ask you by phone',
      );
      await expectNoSeriousA11yIssues(page, 'e-CPS waiting');
      await saveScreen(page, 'signin-ecps-pending');

      await page
        .getByRole('tab', { name: lang === 'fr' ? 'Identifiant et mot de passe' : 'Identifier and password' })
        .click();
      await page
        .getByLabel(lang === 'fr' ? 'Identifiant' : 'Identifier', { exact: true })
        .fill('bloque.compta');
      await page.getByLabel(lang === 'fr' ? 'Mot de passe' : 'Password', { exact: true }).fill('x');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('blocked-notice')).toBeVisible();
      await expectNoSeriousA11yIssues(page, 'password sign-in, blocked');
      await saveScreen(page, 'signin-password-blocked');
    });

    test('dashboard, pharmacy accounts, reminders', async ({ page }) => {
      await start(page, (f) => {
        f.state.language = lang;
        f.state.session = SIGNED_IN;
        f.state.reminders = ACCOUNTS.map(reminder).filter((r) => r.urgency !== 'active');
      });
      await expect(page.getByTestId('status-sentence')).toContainText(
        lang === 'fr' ? 'dans 143 jours' : 'in 143 days',
      );
      await expect(page.getByTestId('timeline').first()).toBeVisible();
      await expect(page.getByTestId('reminder-banner')).toContainText('Cabinet Dupont');
      // the card in the reader ends in 20 days: D-30 on the status scale
      await expect(page.getByTestId('card-expiry')).toHaveAttribute('data-level', 'd30');
      await expect(page.getByTestId('card-expiry')).toContainText(
        lang === 'fr' ? 'commandez la nouvelle dès maintenant' : 'order the new one now',
      );
      await expectNoSeriousA11yIssues(page, 'dashboard');
      await saveScreen(page, 'dashboard');

      await go(page, '#/accounts');
      const rows = page.getByTestId('account-row');
      await expect(rows).toHaveCount(4);
      await expect(rows.nth(0)).toHaveAttribute('data-account', 'Sophie Bernard');
      await expect(rows.nth(1)).toHaveAttribute('data-account', 'Cabinet Dupont (comptable)');
      await expect(rows.nth(2)).toHaveAttribute('data-account', 'Julien Petit');
      // the pharmacy's workstations: the one in use cannot be withdrawn, a withdrawn one says since when
      const stations = page.getByTestId('workstation-row');
      await expect(stations).toHaveCount(3);
      await expect(
        page.getByRole('button', { name: lang === 'fr' ? 'Retirer ce poste' : 'Withdraw this workstation' }),
      ).toHaveCount(1);
      await expect(stations.nth(2)).toContainText(lang === 'fr' ? 'Retiré le' : 'Withdrawn on');
      // what comes next: an end of contract in 6 days, a staff card ending in 45 days (D-60: information)
      await expect(page.getByTestId('upcoming-end')).toContainText('Cabinet Dupont');
      await expect(page.getByTestId('upcoming-card')).toHaveAttribute('data-level', 'info');
      await expect(page.getByTestId('upcoming-card')).toContainText('Julien Petit');
      // the end of contract, keyboard only: the button, the day typed, Enter saves
      const julien = rows.nth(2);
      await julien
        .getByRole('button', { name: lang === 'fr' ? 'Fixer une fin de contrat' : 'Set an end of contract' })
        .focus();
      await page.keyboard.press('Enter');
      const day = julien.getByLabel(
        lang === 'fr' ? 'Dernier jour d’accès de Julien Petit' : 'Last day of access for Julien Petit',
      );
      await day.focus();
      // the field's order is the browser's locale (here en-US), not the app's language
      await page.keyboard.type('12312099');
      await expect(day).toHaveValue('2099-12-31');
      await expectNoSeriousA11yIssues(page, 'end of contract form');
      await saveScreen(page, 'accounts-end-date');
      await page.keyboard.press('Enter');
      await expect(day).toHaveCount(0);
      await expectNoSeriousA11yIssues(page, 'accounts');
      await saveScreen(page, 'accounts');
      await page
        .getByRole('button', { name: lang === 'fr' ? 'Accorder une délégation' : 'Grant delegated access' })
        .click();
      await expect(page.getByRole('dialog')).toBeVisible();
      await expectNoSeriousA11yIssues(page, 'grant dialog');
      await saveScreen(page, 'accounts-grant');
      await page.keyboard.press('Escape');
      await expect(page.getByRole('dialog')).toHaveCount(0);
    });

    test('events log: chart, virtualised table, detail, report', async ({ page }) => {
      await start(page, (f) => {
        f.state.language = lang;
        f.state.session = SIGNED_IN;
      });
      await go(page, '#/events');
      await expect(page.getByTestId('weekly-chart')).toBeVisible();
      await expect(page.getByTestId('chain-badge')).toHaveAttribute('data-ok', 'true');
      const rows = page.getByTestId('event-row');
      await expect(rows.first()).toBeVisible();
      expect(await rows.count()).toBeLessThan(40); // virtualised: only the rows on screen exist
      await page.getByTestId('events-table').focus();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await expect(page.getByTestId('event-detail')).toBeVisible();
      await expectNoSeriousA11yIssues(page, 'events');
      await saveScreen(page, 'events');
      await page.getByTestId('report-open').click();
      await expectNoSeriousA11yIssues(page, 'report dialog');
      await saveScreen(page, 'events-report');
      await page.getByTestId('report-submit').click();
      await expect(page.getByRole('dialog').getByTestId('case')).toHaveAttribute('data-status', 'secured');
      await saveScreen(page, 'events-case');
    });

    test('unblock wizard: security key and postal paths, new password', async ({ page }) => {
      await start(page, (f) => {
        f.state.language = lang;
        f.setCard(cardState('empty'));
      });
      await go(page, '#/unblock');
      await page
        .getByLabel(lang === 'fr' ? 'Identifiant du compte' : 'Account identifier')
        .fill('dupont.compta');
      await page.keyboard.press('Enter');
      const paths = page.getByTestId('unblock-paths').getByRole('listitem');
      await expect(paths).toHaveCount(2);
      await expect(paths.first()).toHaveAttribute('data-path', 'security_key');
      await expectNoSeriousA11yIssues(page, 'unblock paths');
      await saveScreen(page, 'unblock-paths');
      await paths.nth(1).getByRole('button').click();
      await page
        .getByRole('button', { name: lang === 'fr' ? 'Demander le courrier' : 'Ask for the letter' })
        .click();
      await expect(page.locator('[data-step="in-post"]')).toHaveAttribute('aria-current', 'step');
      await expectNoSeriousA11yIssues(page, 'postal');
      await saveScreen(page, 'unblock-postal');
      await page.getByTestId('postal-code').fill('K7P2-9QXM');
      await page.keyboard.press('Enter');
      await page.getByTestId('new-password').fill('Une phrase longue et sûre 2026');
      await expect(page.getByTestId('strength-meter')).toHaveAttribute('data-score', '4');
      await page.getByTestId('confirm-password').fill('Une phrase longue et sûre 2026');
      await expectNoSeriousA11yIssues(page, 'new password');
      await saveScreen(page, 'unblock-new-password');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('unblock')).toHaveAttribute('data-stage', 'done');
      await saveScreen(page, 'unblock-done');
    });

    test('unblock wizard: the letter asked for on this workstation, and a right key that is not enough', async ({
      page,
    }) => {
      await start(page, (f) => {
        f.state.language = lang;
        f.setCard(cardState('empty'));
      });
      const fr = lang === 'fr';
      await go(page, '#/unblock');
      await page.getByLabel(fr ? 'Identifiant du compte' : 'Account identifier').fill('apres.signalement');
      await page.keyboard.press('Enter');
      // an identifier alone: the choice everyone gets, and it says so
      await expect(page.getByTestId('same-for-all')).toBeVisible();
      await page.locator('[data-path="postal_code"]').getByRole('button').click();
      await page.getByRole('button', { name: fr ? 'Demander le courrier' : 'Ask for the letter' }).click();
      await expect(page.locator('[data-step="in-post"]')).toHaveAttribute('aria-current', 'step');
      await page.getByRole('button', { name: fr ? 'Retour' : 'Back' }).click();
      // back at the choice: the letter requested here, with its journey and reference
      await expect(page.getByTestId('letter-here')).toContainText('VG-2026-0042');
      await page.locator('[data-path="security_key"]').getByRole('button').click();
      for (const [q, v] of [
        ['birth_date', '14/07/1979'],
        ['practice_postal_code', '75011'],
        ['iban_last4', '4821'],
      ] as const)
        await page.locator(`[data-question="${q}"]`).fill(v);
      await page.getByRole('button', { name: fr ? 'Vérifier' : 'Check' }).click();
      // the right key, not enough after a report: her own remaining ways
      await expect(page.getByTestId('key-not-enough')).toBeVisible();
      await expect(page.getByTestId('unblock-paths').getByRole('listitem')).toHaveCount(1);
      await expect(page.getByTestId('same-for-all')).toHaveCount(0);
      await expectNoSeriousA11yIssues(page, 'unblock situation');
      await saveScreen(page, 'unblock-situation');
    });

    test('password, settings, lock screen, demo panel, D-1 dialog', async ({ page }) => {
      const fake = await start(page, (f) => {
        f.state.language = lang;
        f.state.session = {
          ...SIGNED_IN,
          user: {
            ...SIGNED_IN.user,
            method: 'password',
            kind: 'password_delegate',
            displayName: 'Cabinet Dupont',
          },
        };
      });
      await go(page, '#/password');
      await page.getByTestId('new-password').fill('court');
      await expect(page.getByTestId('password-problems')).toBeVisible();
      await expectNoSeriousA11yIssues(page, 'password');
      await saveScreen(page, 'password');
      await go(page, '#/security-key');
      const key = page.getByTestId('security-key-form');
      await key.locator('[data-question="birth_date"]').fill('31/02/1979');
      await key.locator('[data-question="practice_postal_code"]').fill('75011');
      await key.locator('[data-question="iban_last4"]').fill('4821');
      await key.getByTestId('security-key-password').fill('faux');
      await key.getByRole('button').click();
      // a day that does not exist is said at its field, in the language of the screen
      await expect(key.locator('.field-error')).toContainText(lang === 'fr' ? 'JJ/MM/AAAA' : 'DD/MM/YYYY');
      await expectNoSeriousA11yIssues(page, 'security key');
      await saveScreen(page, 'security-key');
      await go(page, '#/settings');
      const form = page.getByTestId('settings-form');
      await expect(form).toBeVisible();
      await form.getByText(lang === 'fr' ? '14 jours avant' : '14 days before').click();
      await expect(
        form.getByRole('checkbox', { name: lang === 'fr' ? '14 jours avant' : '14 days before' }),
      ).toBeChecked();
      await form.getByRole('button', { name: lang === 'fr' ? 'Enregistrer' : 'Save' }).click();
      await expect(form).toContainText(lang === 'fr' ? 'Réglages enregistrés.' : 'Settings saved.');
      await expect(page.getByTestId('ws-keychain')).toContainText(
        lang === 'fr' ? 'la clé du poste y est rangée' : 'the workstation key is kept there',
      );
      await expectNoSeriousA11yIssues(page, 'settings');
      await saveScreen(page, 'settings');
      await page.getByTestId('demo-toggle').click();
      await expect(page.getByTestId('demo-panel')).toContainText('Cabinet Dupont');
      await expectNoSeriousA11yIssues(page, 'demo panel');
      await saveScreen(page, 'demo-panel');
      fake.setSession({ ...SIGNED_IN, status: 'locked', endedBecause: 'card-removed' });
      await expect(page.getByTestId('lock-screen')).toHaveAttribute('data-reason', 'card-removed');
      await expectNoSeriousA11yIssues(page, 'lock');
      await saveScreen(page, 'lock');
      const d1 = { ...reminder(ACCOUNTS[1]!), urgency: 'd1' as const, daysLeft: 1 };
      fake.emit('reminders.changed', { reminders: [d1] });
      await expect(page.getByTestId('reminder-dialog')).toBeVisible();
      await expectNoSeriousA11yIssues(page, 'D-1 dialog');
      await saveScreen(page, 'reminder-d1');
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('reminder-dialog')).toHaveCount(0);
    });

    test('error and empty states are designed, never blank', async ({ page }) => {
      await start(page, (f) => {
        f.state.language = lang;
        f.state.session = SIGNED_IN;
        for (const ch of [
          'accounts.getMine',
          'accounts.listPharmacy',
          'events.list',
          'events.weekly',
          'events.verify',
        ])
          f.state.unavailable.add(ch);
      });
      await expect(page.getByTestId('error-state')).toBeVisible();
      await expect(page.getByTestId('error-state')).not.toContainText('UNAVAILABLE');
      await saveScreen(page, 'dashboard-error');
      await go(page, '#/events');
      await expect(page.getByTestId('chain-badge')).toHaveAttribute('data-ok', 'unknown');
      await expectNoSeriousA11yIssues(page, 'events error');
      await saveScreen(page, 'events-error');
    });
  });
}

/** 1280×800 at 200 % zoom is a 640×400 CSS-pixel window: nothing may need a horizontal scroll. */
test('the layout holds at 200 % zoom', async ({ page }) => {
  await page.setViewportSize({ width: 640, height: 400 });
  await start(page, (f) => {
    f.state.session = SIGNED_IN;
    f.state.reminders = ACCOUNTS.map(reminder).filter((r) => r.urgency !== 'active');
  });
  for (const hash of ['#/', '#/accounts', '#/events', '#/settings']) {
    await go(page, hash);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `horizontal overflow on ${hash}`).toBeLessThanOrEqual(0);
    await saveScreen(page, `zoom200-${hash.replace(/[#/]/g, '') || 'dashboard'}`);
  }
});

/** Keyboard only: every stop of the sign-in screen shows where the focus is, and the PIN goes in without a mouse. */
test('the keyboard alone signs in, with the focus always visible', async ({ page }) => {
  await start(page);
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  await page.keyboard.press('Home');
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      return {
        name: (el.getAttribute('aria-label') ?? el.textContent ?? el.tagName).trim().slice(0, 30),
        outline: s.outlineStyle,
        width: parseFloat(s.outlineWidth),
      };
    });
    if (!focus) continue;
    seen.push(focus.name);
    expect(focus.outline, `focus ring on « ${focus.name} »`).not.toBe('none');
    expect(focus.width).toBeGreaterThanOrEqual(2);
  }
  expect(seen.length).toBeGreaterThan(5);
  await page.getByTestId('pin-input').focus();
  await page.keyboard.type('1234');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('sign-out')).toBeVisible();
});

/** At a shared counter, the next person starts on the dashboard, not on the page the last one left open. */
test('after a sign-out, the next sign-in opens on the dashboard', async ({ page }) => {
  await start(page);
  const signIn = async () => {
    await page.getByTestId('pin-input').fill('1234');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('sign-out')).toBeVisible();
  };
  await signIn();
  await go(page, '#/events');
  await expect(page.getByRole('link', { name: 'Derniers événements' })).toHaveAttribute(
    'aria-current',
    'page',
  );
  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('pin-input')).toBeVisible();
  await signIn();
  await expect(page.getByRole('link', { name: 'Mon compte' })).toHaveAttribute('aria-current', 'page');
  expect(new URL(page.url()).hash).toBe('#/');
});
