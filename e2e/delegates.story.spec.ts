import { expect, saveScreen, test } from './fixtures';
import { missing } from './probe';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../backend/demo/people';
import { signInWithPassword } from './stories';

// a story starts a web host with its embedded backend and virtual reader: slow on a shared machine
test.describe.configure({ timeout: 180_000 });

/** Story: the holder sees every account of the pharmacy, delegates sorted by urgency. */
test('the holder sees the delegates sorted by urgency', async ({ app, vigie }) => {
  const why = await missing(vigie, [
    ['session.signInWithPassword', { identifier: 'nobody', password: 'x' }],
    ['accounts.listPharmacy'],
  ]);
  test.skip(why !== null, why ?? '');
  // the holder also has the pharmacy's Assurance Maladie number and a password
  await signInWithPassword(app, DEMO_PEOPLE.holder.identifier, DEMO_PASSWORD);
  await app.getByRole('link', { name: 'Comptes de la pharmacie' }).click({ timeout: 20_000 });
  const rows = app.getByTestId('account-row');
  await expect(rows.first()).toBeVisible();
  const urgencies = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-urgency')));
  const order = { blocked: 0, d1: 1, d7: 2, d30: 3, active: 4 } as Record<string, number>;
  expect(urgencies.map((u) => order[u ?? 'active'])).toEqual(
    [...urgencies.map((u) => order[u ?? 'active'])].sort((a, b) => a! - b!),
  );
  expect(urgencies[0]).toBe('blocked');
  await expect(app.getByTestId('account-list')).toContainText('Sophie BERNARD');
  await saveScreen(app, 'story-accounts');
});
