import { DEMO_PEOPLE } from '../backend/demo/people';
import { expectNoSeriousA11yIssues } from './a11y';
import { expect, saveScreen, test } from './fixtures';
import { missing } from './probe';
import {
  endGrace,
  enrolAuthenticator,
  mailedCodes,
  moveDemoClock,
  nextMailedCode,
  openEvents,
  passwordThenEnrolment,
} from './steps/second-factor';

// a story starts a web host with its embedded backend and virtual reader: slow on a shared machine
test.describe.configure({ timeout: 240_000 });

const SOPHIE = DEMO_PEOPLE.accountantSoon;

/**
 * Story: the pharmacy's grace period is over and the accountant has no second factor yet. Someone who holds only her
 * password signs in on a workstation: Vigie asks first for the code mailed to her dedicated address, and without it
 * (guesses, then a code mailed earlier that has expired) no QR code is shown, nothing is enrolled and no session
 * opens. Later the accountant, with her mailbox, enrols her app; her events show each refused code.
 */
test('a phisher holding only the password cannot enrol a second factor; the owner, with her mailbox, can', async ({
  app,
  vigie,
}) => {
  const why = await missing(vigie, [['demo.mailbox', { personId: SOPHIE.key }]]);
  test.skip(why !== null, why ?? '');
  await endGrace(app, vigie, SOPHIE);

  // 1. The phisher types her password: no session, the enrolment asks for the code mailed to her address.
  const enrol = await passwordThenEnrolment(app, SOPHIE);
  await expect(enrol).toContainText('s•••@demo.vigie.invalid');
  await expect(app.getByTestId('sign-out')).toHaveCount(0);
  await expect(app.getByTestId('enrol-qr')).toHaveCount(0);
  await expect(app.getByTestId('enrol-key')).toHaveCount(0);
  const toApp = enrol.getByRole('button', { name: /application d'authentification/ });
  const byMail = enrol.getByRole('button', { name: 'Recevoir un code par e-mail à chaque connexion' });
  // Nothing to go on with before a code is typed.
  await expect(toApp).toBeDisabled();
  await expect(byMail).toBeDisabled();
  const refusal = enrol.getByTestId('factor-error');
  /** What he sees after each refused code: one calm answer, still no key to copy, still no session. */
  const stillNothing = async () => {
    await expect(refusal).toHaveAttribute('data-code', 'INVALID_CREDENTIALS');
    await expect(app.getByTestId('enrol-qr')).toHaveCount(0);
    await expect(app.getByTestId('enrol-key')).toHaveCount(0);
    await expect(app.getByTestId('recovery-codes')).toHaveCount(0);
    await expect(app.getByTestId('sign-out')).toHaveCount(0);
  };

  // 2. A guess before any code was mailed: refused, in a code's words (not a password's).
  await enrol.getByTestId('enrol-mail-code').fill('123456');
  await toApp.click();
  await stillNothing();
  await expect(refusal).toContainText('Ce code ne convient pas.');
  await expect(refusal).not.toContainText('mot de passe');
  await expectNoSeriousA11yIssues(app, 'enrolment, a wrong mailed code');
  await saveScreen(app, 'story-second-factor-phisher-wrong-code');

  // 3. He asks for the code: it goes to her dedicated address, not to him; his guesses are refused.
  const before = await mailedCodes(vigie, SOPHIE);
  await enrol.getByRole('button', { name: 'Recevoir le code par e-mail' }).click();
  await expect(enrol.getByTestId('factor-code-sent')).toContainText('s•••@demo.vigie.invalid');
  const mailed = await nextMailedCode(vigie, SOPHIE, before);
  const guess = mailed === '000000' ? '000001' : '000000';
  await enrol.getByTestId('enrol-mail-code').fill(guess);
  await toApp.click();
  await stillNothing();
  // The e-mail factor with a guess is refused the same way.
  await enrol.getByTestId('enrol-mail-code').fill(mailed === '999999' ? '999998' : '999999');
  await byMail.click();
  await stillNothing();

  // 4. Eleven minutes later he gets hold of that mailed code (an old mail): it has expired (10 minutes).
  await moveDemoClock(vigie, 11);
  await enrol.getByTestId('enrol-mail-code').fill(mailed);
  await toApp.click();
  await stillNothing();
  await expectNoSeriousA11yIssues(app, 'enrolment, an expired mailed code');
  await enrol.getByRole('button', { name: 'Recommencer la connexion' }).click();
  await expect(app.getByTestId('password-signin')).toBeVisible();

  // 5. That evening the accountant signs in at the same workstation, with her mailbox: she enrols her app.
  const offset = await moveDemoClock(vigie, 3 * 60);
  await enrolAuthenticator(app, vigie, SOPHIE, offset);
  await expect(app.getByTestId('sign-out')).toBeVisible();

  // 6. Her events show the four refused codes before her enrolment.
  const rows = await openEvents(app);
  await expect(rows.filter({ hasText: 'Code du second facteur refusé' })).toHaveCount(4);
  await expect(rows.filter({ hasText: 'Second facteur activé' })).toHaveCount(1);
  await expectNoSeriousA11yIssues(app, 'events after the phisher and the enrolment');
  await saveScreen(app, 'story-second-factor-phisher-events');
});
