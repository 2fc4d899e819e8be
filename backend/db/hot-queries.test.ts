/**
 * The SQL of the hot queries, committed beside this file (./snapshots/*.sql) so that a change to them shows as
 * SQL in review: the statements of a password sign-in (the lookup, then the session or the second step opened), the
 * two of its second step, the session check, the events page and the inactivity sweep. The test compiles each query
 * builder (no database) and compares the text with the committed file; it fails when a hot query changes. After a
 * deliberate change, rewrite the files and review their diff:
 *
 *   npx vitest run --project unit backend/db/hot-queries.test.ts --update
 */
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import { fastTotpSignInQuery, stepAttemptQuery } from '../auth/factors/steps-fast';
import { signInLookupQuery } from '../auth/password-lookup';
import { fastSignInQuery, fastStepQuery } from '../auth/password-fast';
import { AWAY_CODE_THROTTLE } from '../auth/throttle';
import { defaultConfig } from '../context';
import { eventsPageQuery } from '../events/log';
import { sweepBatchQuery } from '../jobs/sweep';
import { sessionCheckQuery } from '../sessions/sessions';
import type { Database } from './schema';

const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const now = new Date('2026-12-07T09:00:00Z');
const meta = { ip: '192.0.2.1', workstationId: 'ws-1', workstationLabel: 'Comptoir', appVersion: '1.0.0' };

/** The SQL text, one statement, with its trailing spaces trimmed (parameters are $n, their values not kept). */
function sqlOf(q: { compile(db: Kysely<Database>): { sql: string } }): string {
  return `${q
    .compile(db)
    .sql.replace(/[ \t]+$/gm, '')
    .trim()}\n`;
}

const snapshot = (name: string) => `./snapshots/${name}.sql`;

describe('hot queries', () => {
  it('password sign-in, first statement: address verdict, account lookup, source reservation', async () => {
    const q = signInLookupQuery(
      { identifier: '123456789', workstationId: 'ws-1', ip: '192.0.2.1', proven: true, now },
      defaultConfig,
    );
    await expect(sqlOf(q)).toMatchFileSnapshot(snapshot('signin-lookup'));
  });

  it('password sign-in, second statement: the session, the event, the mail in one', async () => {
    const q = fastSignInQuery(
      {
        accountId: '00000000-0000-4000-8000-000000000001',
        pharmacyId: '00000000-0000-4000-8000-000000000002',
        now,
        meta,
        deadlines: { block_due_at: now, next_reminder_at: null },
        mail: { kind: 'sign_in', subject: 'Connexion', text: 'Bonjour', to: 'a@example.fr' },
        throttleKey: 'id:abc',
      },
      'token',
      '00000000-0000-4000-8000-000000000003',
    );
    await expect(sqlOf(q)).toMatchFileSnapshot(snapshot('signin-fast'));
  });

  it('password sign-in, second statement when a second step follows: the step opened in one', async () => {
    const q = fastStepQuery({
      accountId: '00000000-0000-4000-8000-000000000001',
      now,
      meta,
      ticket: 'ticket',
      purpose: 'verify',
      passwordChange: false,
      expiresAt: now,
      throttleKey: 'id:abc',
    });
    await expect(sqlOf(q)).toMatchFileSnapshot(snapshot('signin-step'));
  });

  it('second step, first statement: the step a ticket names, the attempt reserved on its counters', async () => {
    const q = stepAttemptQuery(
      {
        ticket: 'ticket',
        workstationId: 'ws-1',
        purpose: 'verify',
        sourceKey: '2f:src:abc',
        accountSuffix: ':away',
        accountPolicy: AWAY_CODE_THROTTLE,
        now,
      },
      defaultConfig,
    );
    await expect(sqlOf(q)).toMatchFileSnapshot(snapshot('second-step-attempt'));
  });

  it('second step, second statement: a right app code, the session, the event, the mail in one', async () => {
    const q = fastTotpSignInQuery(
      {
        stepId: '00000000-0000-4000-8000-000000000004',
        accountId: '00000000-0000-4000-8000-000000000001',
        pharmacyId: '00000000-0000-4000-8000-000000000002',
        totpSecret: 'sealed',
        totpStep: 59_000_000,
        now,
        meta,
        wsPublicKey: null,
        wsReadLabel: 'Comptoir',
        wsLabel: 'Comptoir',
        passwordChange: false,
        deadlines: { block_due_at: now, next_reminder_at: null },
        mail: { kind: 'sign_in', subject: 'Connexion', text: 'Bonjour', to: 'a@example.fr' },
        clearKeys: ['2f:src:abc', '2f:step:def'],
        sharedKey: '2f:acc:ghi:away',
      },
      'token',
      '00000000-0000-4000-8000-000000000003',
    );
    await expect(sqlOf(q)).toMatchFileSnapshot(snapshot('second-step-totp'));
  });

  it("the events page: one's own, and another account of the pharmacy from a cursor", async () => {
    const own = eventsPageQuery({ db }, 'acc-1', { limit: 50 });
    const other = eventsPageQuery({ db }, 'acc-2', { limit: 50, cursor: '120', type: 'sign_in' }, 'ph-1');
    await expect(`${sqlOf(own)}\n${sqlOf(other)}`).toMatchFileSnapshot(snapshot('events-page'));
  });

  it('the session check of every request: the session by its token, its account and its workstation', async () => {
    await expect(sqlOf(sessionCheckQuery(db, 'token-hash'))).toMatchFileSnapshot(snapshot('session-check'));
  });

  it('the inactivity sweep, one batch', async () => {
    await expect(sqlOf(sweepBatchQuery(now, 2000))).toMatchFileSnapshot(snapshot('sweep'));
  });
});
