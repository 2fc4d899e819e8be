import { existsSync } from 'node:fs';
import { realPart } from '../scripts/real-parts';
import { createBackend, type Backend } from '../backend/app';
import { seedDemo } from '../backend/demo/seed';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../backend/demo/people';
import { startPgServer, type PgServer } from '../backend/test/pg-server';
import { rewriteAndRecompute } from '../backend/test/tamper';
import { test as vigieTest, expect, saveScreen } from './fixtures';
import { signInWithPassword } from './stories';

const hasPostgres = existsSync('/usr/lib/postgresql') || !!process.env.PG_BIN;

/** A PostgreSQL 15 server and the account backend on it, for the workstation to use as its remote backend. */
const test = vigieTest.extend<{ remote: { pg: PgServer; backend: Backend; url: string } }>({
  // Playwright reads the fixtures a fixture needs from its first argument: this one needs none.
  // eslint-disable-next-line no-empty-pattern
  remote: async ({}, use) => {
    const pg = await startPgServer();
    const backend = await createBackend({
      database: pg.url,
      logLevel: 'silent',
      jobs: { autoStart: false },
      rateLimit: false,
      // a month of retention: the purge below removes events the workstation has already shown
      config: { eventRetentionMonths: 1, argon2: { memoryCost: 4096, timeCost: 2, parallelism: 1 } },
    });
    await seedDemo(backend.db, new Date(), backend.ctx.config);
    const url = await backend.listen(0, '127.0.0.1');
    await use({ pg, backend, url });
    await backend.close();
    pg.stop();
  },
  vigieEnv: async ({ remote }, use) => use({ VIGIE_BACKEND_URL: remote.url }),
});
test.describe.configure({ timeout: 240_000 });

/**
 * Story: the pharmacist reads her events log at the counter. Weeks later the retention purge removes the oldest
 * events: nothing to worry about, and Vigie says nothing. Then someone with write access to the PostgreSQL
 * database edits an old sign-in by hand and recomputes the whole hash chain so that it still links. The next
 * time she opens the log, this workstation, which had seen the event as it was, says the log was changed and
 * names the event.
 */
test('a history rewritten in the database is named on the workstation that had seen it', async ({
  app,
  remote,
}) => {
  test.skip(!realPart(hasPostgres, 'PostgreSQL server binaries are not installed (scripts/ sets them up)'));
  const holder = DEMO_PEOPLE.holder;
  await signInWithPassword(app, holder.identifier!, DEMO_PASSWORD);
  const openLog = async () => {
    await app.getByRole('link', { name: 'Mon compte', exact: true }).click({ timeout: 20_000 });
    await app.getByRole('link', { name: 'Derniers événements', exact: true }).click();
    await expect(app.getByTestId('event-row').first()).toBeVisible({ timeout: 20_000 });
    await expect(app.getByTestId('chain-badge')).toBeVisible({ timeout: 20_000 });
  };
  await openLog();
  await expect(app.getByTestId('chain-badge')).toHaveAttribute('data-ok', 'true');
  await expect(app.getByTestId('history-changed')).toHaveCount(0);

  const account = await remote.backend.db
    .selectFrom('accounts')
    .select('id')
    .where('identifier', '=', holder.identifier!)
    .executeTakeFirstOrThrow();

  // The retention purge moves the chain's anchor forward: a legitimate change of the history.
  expect(await remote.backend.jobs.run('retention')).toBeGreaterThan(0);
  const chain = await remote.backend.db
    .selectFrom('event_chains')
    .select(['anchor_seq', 'seq'])
    .where('account_id', '=', account.id)
    .executeTakeFirstOrThrow();
  expect(Number(chain.anchor_seq)).toBeGreaterThan(0);
  await openLog();
  await expect(app.getByTestId('chain-badge')).toHaveAttribute('data-ok', 'true');
  await expect(app.getByTestId('history-changed')).toHaveCount(0);

  // Someone who can write the database rewrites an event this workstation showed, and recomputes the chain.
  const target = Number(chain.anchor_seq) + 3;
  await rewriteAndRecompute(remote.backend.db, account.id, target, 'Poste du stagiaire');
  await openLog();
  const warning = app.getByTestId('history-changed');
  await expect(warning).toContainText('Le journal a été modifié depuis votre dernière consultation');
  await expect(warning).toContainText(`L’événement n° ${target}`);
  await expect(warning).toContainText('36 08');
  await expect(app.getByTestId('chain-badge')).toHaveAttribute('data-ok', 'false');
  await saveScreen(app, 'story-history-changed');
});
