/**
 * The mail server down (connection refused), then refusing with 451, then back: the mails stay in the
 * outbox with their error, are retried with a growing delay, and go out once it is back, each exactly once
 * (one delivery per outbox row, Message-IDs unique, nothing left, nothing sent twice on later runs).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../backend/app';
import {
  audit,
  seed,
  ARGON,
  PASSWORD,
  wsHeaders,
  workstationOf,
  type SignInAck,
  type Seeded,
} from './lib/data';
import { checked, count, figure, injected } from './lib/report';
import { Smtp } from './lib/smtp';

class Clock {
  constructor(private t = Date.now()) {}
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

describe('mail server down', () => {
  const smtp = new Smtp();
  let backend: Backend | undefined;
  afterAll(async () => {
    await backend?.close();
    await smtp.stop();
  });

  it('mails stay in the outbox while it is down and go out once it is back, each exactly once', async () => {
    await smtp.start();
    const clock = new Clock();
    backend = await createBackend({
      database: 'pglite:memory',
      clock,
      logLevel: 'silent',
      mailer: {
        kind: 'smtp',
        host: '127.0.0.1',
        port: smtp.port,
        ignoreTLS: true,
        from: 'Vigie <no-reply@vigie.invalid>',
      },
      jobs: { autoStart: false },
      rateLimit: false,
      failureFloorMs: 10,
      config: { argon2: ARGON },
    });
    const n = count(60, 20);
    const s: Seeded = await seed(backend.db, n);
    const acks: SignInAck[] = [];
    const signInAll = async () => {
      for (const identifier of s.identifiers) {
        const r = await backend!.app.inject({
          method: 'POST',
          url: '/v1/auth/password',
          headers: wsHeaders(workstationOf(identifier)),
          payload: JSON.stringify({ identifier, password: PASSWORD }),
        });
        expect(r.statusCode).toBe(200);
        const j = r.json<{ token: string; sessionId: string }>();
        acks.push({ identifier, token: j.token, sessionId: j.sessionId });
      }
    };
    // One delivery while up, so the transport has a pooled connection to lose.
    await signInAll();
    await backend.jobs.run('mail');
    const firstBatch = smtp.received.length;
    expect(firstBatch).toBe(n);

    await smtp.stop();
    await signInAll();
    injected(`SMTP server stopped (port ${smtp.port} refuses connections); ${n} sign-ins queue ${n} mails`);
    for (let round = 0; round < 3; round++) {
      await backend.jobs.run('mail');
      clock.advance(10 * 60_000);
    }
    const pending = await backend.db
      .selectFrom('outbox')
      .select(['id', 'attempts', 'last_error', 'sent_at'])
      .where('sent_at', 'is', null)
      .execute();
    expect(pending.length).toBe(n);
    expect(pending.every((p) => p.attempts >= 1 && p.last_error)).toBe(true);
    checked(
      `while down: ${pending.length} mails kept in the outbox, each with its error and ${Math.min(...pending.map((p) => p.attempts))}+ attempts; none lost`,
    );

    smtp.tempFail = Math.floor(n / 2);
    await smtp.start();
    injected(`SMTP server back on the same port, refusing the next ${smtp.tempFail} deliveries with 451`);
    let rounds = 0;
    for (; rounds < 12; rounds++) {
      clock.advance(3 * 3600_000); // past the longest retry delay (1 h)
      await backend.jobs.run('mail');
      const left = await backend.db.selectFrom('outbox').select('id').where('sent_at', 'is', null).execute();
      if (left.length === 0) break;
    }
    // Later runs send nothing again.
    clock.advance(3 * 3600_000);
    await backend.jobs.run('mail');
    await backend.jobs.run('mail');

    const rows = await backend.db
      .selectFrom('outbox')
      .select(['message_id', 'sent_at', 'attempts'])
      .execute();
    const ids = smtp.received.map((r) => r.messageId);
    const unique = new Set(ids);
    figure('mail rounds after the server came back', rounds + 1);
    figure('deliveries / outbox rows', `${ids.length} / ${rows.length}`);
    expect(rows.every((r) => r.sent_at !== null)).toBe(true);
    expect(ids.length).toBe(rows.length);
    expect(unique.size).toBe(ids.length);
    expect([...unique].sort()).toEqual(rows.map((r) => r.message_id).sort());
    checked(
      `back: all ${rows.length} outbox rows sent, ${ids.length} deliveries, ${unique.size} distinct Message-IDs (each exactly once), nothing left, nothing re-sent by 2 more runs`,
    );
    const a = await audit(backend.db, s.accountIds, acks);
    expect(a.missingEvents).toEqual([]);
    expect(a.badChains).toEqual([]);
    checked(`${a.acknowledged} acknowledged sign-ins present; ${a.chainsChecked} chains verify`);
  });
});
