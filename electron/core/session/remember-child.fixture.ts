// A separate process for the "remember me" integration test: one start of the core (embedded backend, demo
// pharmacy) on a user-data folder, in whatever keychain environment the test gives it. Prints one JSON line.
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../../../backend/demo/people';
import { createCore } from '../core';
import { createDemo } from '../demo';

const [dir] = process.argv.slice(2);
const core = createCore({
  mode: 'browser',
  userDataDir: dir!,
  appVersion: '0.0.0-test',
  demo: createDemo(() => null),
});
await core.start();
const call = (channel: string, req?: unknown) =>
  core.dispatcher.invoke(channel, req, { transport: 'direct' });
const before = await call('session.getState');
const signIn = await call('session.signInWithPassword', {
  identifier: DEMO_PEOPLE.accountantSoon.identifier,
  password: DEMO_PASSWORD,
  remember: true,
});
const mine = await call('accounts.getMine');
const remembered = core.settings.get('rememberedAccounts');
await core.stop();
console.log(JSON.stringify({ before, signIn, mineOk: mine.ok, remembered }));
process.exit(0);
