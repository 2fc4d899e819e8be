import { expect, saveScreen, test } from './fixtures';
import { missing } from './probe';
import { signInWithPassword } from './stories';
import { DEMO_PASSWORD } from '../backend/demo/people';

/** Story: the accountant 5 days from the deadline sees the reminder, with the date and the days left. */
test('the accountant 5 days from the deadline sees the reminder', async ({ app, vigie }) => {
  test.setTimeout(180_000);
  const why = await missing(vigie, [['session.signInWithPassword', { identifier: 'nobody', password: 'x' }], ['reminders.list']]);
  test.skip(why !== null, why ?? '');
  await signInWithPassword(app, 'sophie.bernard', DEMO_PASSWORD);
  await expect(app.getByTestId('sign-out')).toBeVisible({ timeout: 20_000 });
  const banner = app.getByTestId('reminder-banner');
  await expect(banner).toContainText('Sophie BERNARD');
  await expect(banner).toContainText(/bloqué le \d+ \S+ \d{4} \(dans [45] jours\)/);
  await expect(banner.locator('[data-urgency="d7"]')).toBeVisible();
  await saveScreen(app, 'story-reminder');
});
