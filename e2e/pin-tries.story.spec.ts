import { expect, saveScreen, test } from './fixtures';
import { missing } from './probe';
import { insertDemoCard, typePin } from './stories';

// a story starts a web host with its embedded backend and virtual reader: slow on a shared machine
test.describe.configure({ timeout: 180_000 });

/** Story: two wrong PINs show 2 then 1 tries left; the third says the card's PIN is blocked, not the account. */
test('wrong PINs count down, and the third blocks the card, not the account', async ({ app, vigie }) => {
  const why = await missing(vigie, [
    ['card.verifyPinAndSignIn', { pin: '0000' }],
    ['demo.insertCard', { personId: 'employee', profile: 'cps3' }],
    ['demo.removeCard'],
  ]);
  test.skip(why !== null, why ?? '');
  await insertDemoCard(app, 'employee');
  await typePin(app, '0000');
  await expect(app.getByTestId('pin-wrong')).toBeVisible();
  await expect(app.getByTestId('pin-wrong').getByTestId('pin-tries-dots')).toHaveAttribute('data-left', '2');
  await typePin(app, '0000');
  await expect(app.getByTestId('pin-wrong').getByTestId('pin-tries-dots')).toHaveAttribute('data-left', '1');
  await typePin(app, '0000');
  const blocked = app.getByTestId('pin-blocked');
  await expect(blocked).toContainText('Le code porteur de votre carte est bloqué.');
  await expect(blocked).toContainText('pas votre compte amelipro');
  await saveScreen(app, 'story-pin-blocked');
  // the way out is on the same screen: the PUK
  await blocked.getByRole('button').click();
  await expect(app.getByTestId('puk-flow')).toContainText('code de déblocage (PUK) a 8 chiffres');
});
