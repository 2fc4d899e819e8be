import type { Locator, Page } from '@playwright/test';
import { DEMO_PEOPLE } from '../backend/demo/people';
import { realPart } from '../scripts/real-parts';
import { expectNoSeriousA11yIssues } from './a11y';
import { expect, saveScreen } from './fixtures';
import { hasKeyringTools, withKeyring as test } from './keyring';
import { missing } from './probe';
import {
  appCode,
  endGrace,
  enrolAuthenticator,
  moveDemoClock,
  openEvents,
  passwordThenSecondStep,
  signOut,
  typeCode,
  wrongAppCode,
} from './steps/second-factor';

// a story starts a web host with its embedded backend and virtual reader: slow on a shared machine
test.describe.configure({ timeout: 300_000 });

const SOPHIE = DEMO_PEOPLE.accountantSoon;

/** Types a code that is refused, and waits for the answer (the field empties once it came). */
async function refused(page: Page, verify: Locator, code: string) {
  await typeCode(page, verify, 'factor-code', code);
  await expect(verify.getByTestId('factor-code')).toHaveValue('', { timeout: 20_000 });
  await expect(verify.getByTestId('factor-error')).toHaveAttribute('data-code', 'INVALID_CREDENTIALS');
  await expect(page.getByTestId('sign-out')).toHaveCount(0);
}

/**
 * Story: an accountant with an authenticator app, at her own workstation (registered: its key is in the keychain),
 * types wrong codes. After the three free tries each refused code slows the next one, and Vigie says so calmly;
 * after ten, even the right code waits 15 minutes (it is not checked before). Once the wait is over, her password
 * and the code her app shows open her session: nothing blocked her account, and her events list each refused code.
 */
test('wrong second-factor codes are slowed down, calmly, and never block the account', async ({
  app,
  vigie,
}) => {
  test.skip(
    !realPart(
      hasKeyringTools,
      'dbus-daemon or gnome-keyring-daemon is not installed: the workstation has no key',
    ),
  );
  const why = await missing(vigie, [['demo.mailbox', { personId: SOPHIE.key }]]);
  test.skip(why !== null, why ?? '');
  let offset = await endGrace(app, vigie, SOPHIE);
  const key = await enrolAuthenticator(app, vigie, SOPHIE, offset);
  await signOut(app);

  // 1. Three wrong codes: the free tries, each refused in a code's words.
  offset = await moveDemoClock(vigie, 5);
  const verify = await passwordThenSecondStep(app, SOPHIE);
  const error = verify.getByTestId('factor-error');
  for (let i = 0; i < 2; i++) {
    await refused(app, verify, wrongAppCode(key, offset, i));
    await expect(error).toHaveAttribute('data-slowed', 'false');
    await expect(error).toContainText('Ce code ne convient pas.');
  }
  await refused(app, verify, wrongAppCode(key, offset, 2));

  // 2. From the third, Vigie says that the tries are slowed, that the account is not blocked, and how long to wait.
  await expect(error).toHaveAttribute('data-slowed', 'true');
  await expect(error).toContainText('les essais sont maintenant ralentis');
  await expect(error).toContainText('votre compte n’est pas bloqué');
  await expect(error).toContainText('Attendez une minute');
  await expectNoSeriousA11yIssues(app, 'second step, tries slowed down');
  await saveScreen(app, 'story-second-factor-slowed');

  // 3. She waits a minute between the next codes (the demo clock), each still wrong: the tenth starts a 15-minute wait.
  for (let i = 3; i < 10; i++) {
    offset = await moveDemoClock(vigie, i === 9 ? 2 : 1);
    await refused(app, verify, wrongAppCode(key, offset, i));
  }
  // 4. During the wait the right code is not checked: refused with the same calm answer, no session.
  await refused(app, verify, appCode(key, offset));
  await expect(error).toHaveAttribute('data-slowed', 'true');
  await expect(error).toContainText('attendez 15 minutes, puis recommencez la connexion');
  // Five minutes later, still in the wait: her app's new code is refused too (her workstation's own counters).
  offset = await moveDemoClock(vigie, 5);
  await refused(app, verify, appCode(key, offset));

  // 6. A quarter of an hour after the tenth (the step has expired too), her password and her app's code open her
  // session.
  offset = await moveDemoClock(vigie, 11);
  await verify.getByRole('button', { name: 'Recommencer la connexion' }).click();
  const again = await passwordThenSecondStep(app, SOPHIE);
  await typeCode(app, again, 'factor-code', appCode(key, offset));
  await expect(app.getByTestId('sign-out')).toBeVisible({ timeout: 20_000 });

  // 7. Her events list the ten codes that were checked and refused (the one refused unchecked is not hers to see).
  const rows = await openEvents(app);
  await expect(rows.filter({ hasText: 'Code du second facteur refusé' })).toHaveCount(10);
});
