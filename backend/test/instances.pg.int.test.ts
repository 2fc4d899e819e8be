import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../app';
import { runReminders } from '../jobs/reminders';
import { runInactivitySweep } from '../jobs/sweep';
import { startTestEnv, type TestEnv } from './harness';

// PostgreSQL server only (backend/vitest.pg.project.ts): several backend instances need a server; PGlite is one
// session, so only one process may use an embedded store.
let env: TestEnv;

beforeAll(async () => {
  env = await startTestEnv({ now: '2026-01-10T10:00:00+01:00' });
});

afterAll(() => env?.close());

describe('several instances on one PostgreSQL', () => {
  it('block each due account once, with one event and one mail, when sweeps run concurrently', async () => {
    const others = await Promise.all(
      [0, 1].map(() =>
        createBackend({
          database: env.databaseUrl,
          clock: env.clock,
          logLevel: 'silent',
          jobs: { autoStart: false },
          mailer: { kind: 'none' },
        }),
      ),
    );
    try {
      const now = env.clock.now();
      // 300 accounts of a second pharmacy, all due.
      const { pharmacyId } = await env.backend.db.transaction().execute(async (trx) => {
        const { createPharmacy, createAccount } = await import('../accounts/accounts');
        const pharmacyId = await createPharmacy(
          trx,
          {
            finess: '759999911',
            amNumber: '759999912',
            name: 'Pharmacie de charge',
            address: { line1: '1 rue', postalCode: '75001', city: 'Paris' },
          },
          new Date(now.getTime() - 400 * 86_400_000),
        );
        for (let i = 0; i < 300; i++) {
          await createAccount(
            trx,
            {
              pharmacyId,
              kind: 'card_delegate',
              displayName: `Agent ${i}`,
              nationalId: `8997100${String(i).padStart(5, '0')}`,
              email: `agent${i}@x.invalid`,
            },
            new Date(now.getTime() - 400 * 86_400_000),
            env.backend.ctx.config,
          );
        }
        return { pharmacyId };
      });
      // Small batches so that the three sweeps really interleave (SKIP LOCKED makes them take disjoint rows).
      const counts = await Promise.all([env.backend, ...others].map((b) => runInactivitySweep(b.ctx, 20)));
      expect(counts.filter((c) => c > 0).length).toBeGreaterThan(1);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
      const ids = (
        await env.backend.db
          .selectFrom('accounts')
          .select('id')
          .where('pharmacy_id', '=', pharmacyId)
          .execute()
      ).map((r) => r.id);
      const blockedEvents = await env.backend.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', 'in', ids)
        .where('type', '=', 'account_blocked')
        .executeTakeFirstOrThrow();
      expect(Number(blockedEvents.n)).toBe(300);
      const mails = await env.backend.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', 'in', ids)
        .executeTakeFirstOrThrow();
      expect(Number(mails.n)).toBe(300);
    } finally {
      await Promise.all(others.map((o) => o.close()));
    }
  });

  it('send each due reminder once (event, mail, next reminder set) when reminder jobs run concurrently', async () => {
    const others = await Promise.all(
      [0, 1].map(() =>
        createBackend({
          database: env.databaseUrl,
          clock: env.clock,
          logLevel: 'silent',
          jobs: { autoStart: false },
          mailer: { kind: 'none' },
        }),
      ),
    );
    try {
      const now = env.clock.now();
      const blockAt = new Date(now.getTime() + 5 * 86_400_000);
      const { pharmacyId } = await env.backend.db.transaction().execute(async (trx) => {
        const { createPharmacy, createAccount } = await import('../accounts/accounts');
        const pharmacyId = await createPharmacy(
          trx,
          {
            finess: '759999913',
            amNumber: '759999914',
            name: 'Pharmacie des rappels',
            address: { line1: '1 rue', postalCode: '75001', city: 'Paris' },
          },
          now,
        );
        for (let i = 0; i < 300; i++) {
          await createAccount(
            trx,
            {
              pharmacyId,
              kind: 'card_delegate',
              displayName: `Rappel ${i}`,
              nationalId: `8997200${String(i).padStart(5, '0')}`,
              email: `rappel${i}@x.invalid`,
            },
            now,
            env.backend.ctx.config,
          );
        }
        return { pharmacyId };
      });
      // All 300 are 5 days from their block date: the D-7 reminder is due (and D-30 has passed, so only D-7 is sent).
      await env.backend.db
        .updateTable('accounts')
        .set({ block_due_at: blockAt, next_reminder_at: new Date(now.getTime() - 60_000) })
        .where('pharmacy_id', '=', pharmacyId)
        .execute();
      const counts = await Promise.all([env.backend, ...others].map((b) => runReminders(b.ctx, 20)));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
      expect(counts.filter((c) => c > 0).length).toBeGreaterThan(1);
      expect(await Promise.all([env.backend, ...others].map((b) => runReminders(b.ctx, 20)))).toEqual([
        0, 0, 0,
      ]);
      const ids = (
        await env.backend.db
          .selectFrom('accounts')
          .select('id')
          .where('pharmacy_id', '=', pharmacyId)
          .execute()
      ).map((r) => r.id);
      const events = await env.backend.db
        .selectFrom('events')
        .select(['account_id', 'details'])
        .where('account_id', 'in', ids)
        .where('type', '=', 'reminder_sent')
        .execute();
      expect(events).toHaveLength(300);
      expect(new Set(events.map((e) => e.account_id)).size).toBe(300);
      expect(events.every((e) => (e.details as { days: number }).days === 7)).toBe(true);
      const mails = await env.backend.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', 'in', ids)
        .executeTakeFirstOrThrow();
      expect(Number(mails.n)).toBe(300);
      // The next reminder of each is D-1 (D-3 is not mailed by default), 1 day before the block date.
      const next = await env.backend.db
        .selectFrom('accounts')
        .select('next_reminder_at')
        .where('pharmacy_id', '=', pharmacyId)
        .execute();
      expect(new Set(next.map((n) => n.next_reminder_at?.toISOString())).size).toBe(1);
      expect(next[0]!.next_reminder_at!.getTime()).toBeGreaterThan(now.getTime());
      expect(next[0]!.next_reminder_at!.getTime()).toBeLessThan(blockAt.getTime());
    } finally {
      await Promise.all(others.map((o) => o.close()));
    }
  });
});
