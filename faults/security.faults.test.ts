/**
 * Security checks against the backend as a real child process (its own pino output captured), with a clock
 * the test moves (an offset file the backend reads): user enumeration (answers and timing), throttling under
 * parallel attempts, session lifetime (4 h absolute, 1 h idle), revocation at once (session, workstation),
 * and no token in the logs.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startBackendProc, type BackendProc } from './lib/backend-proc';
import {
  seed,
  signIn,
  withDb,
  workstationOf,
  wsHeaders,
  PASSWORD,
  type SignInAck,
  type Seeded,
} from './lib/data';
import { checked, count, figure, injected } from './lib/report';
import { scanLogsForTokens } from './lib/tokens';
import { startControlledPg, createDatabase, type ControlledPg } from './lib/pg';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

describe('security', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vigie-faults-sec-'));
  const clockFile = join(tmp, 'clock');
  const log = join(tmp, 'backend.log');
  const issued: string[] = [];
  let pg: ControlledPg;
  let dbUrl: string;
  let proc: BackendProc;
  let s: Seeded;
  let offset = 0;
  const advance = (ms: number) => {
    offset += ms;
    writeFileSync(clockFile, String(offset));
  };
  /** Stops the backend's clock at its present instant, so that no throttle delay runs out however slow the machine. */
  const stopClock = () => writeFileSync(clockFile, `@${Date.now() + offset}`);
  const restartClock = () => writeFileSync(clockFile, String(offset));
  const login = async (identifier: string) => {
    const r = await signIn(proc.url, identifier);
    if (!r.ok) throw new Error(`sign-in failed: ${JSON.stringify(r)}`);
    issued.push(r.ack.token);
    return r.ack;
  };
  const status = async (a: SignInAck, ws = workstationOf(a.identifier)) => {
    const r = await fetch(`${proc.url}/v1/me/status`, {
      headers: { ...wsHeaders(ws), authorization: `Bearer ${a.token}` },
    });
    return { status: r.status, code: ((await r.json()) as { code?: string }).code };
  };

  beforeAll(async () => {
    writeFileSync(clockFile, '0');
    pg = await startControlledPg();
    dbUrl = createDatabase(pg.url, 'faults_security');
    s = await withDb(dbUrl, (db) => seed(db, 12, 'secu'));
    // The production refusal floor (250 ms), the rest as in the other fault cases.
    proc = await startBackendProc({ database: dbUrl, clockFile, failureFloorMs: 250 }, log);
  });
  afterAll(async () => {
    await proc?.kill();
    pg?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('user enumeration: same answer for an unknown identifier and a wrong password; median timing difference ≤ 5 ms', async () => {
    const pairs = count(40, 30);
    const known: number[] = [];
    const unknown: number[] = [];
    const bodies = new Set<string>();
    const attempt = async (identifier: string) => {
      const t0 = performance.now();
      const r = await fetch(`${proc.url}/v1/auth/password`, {
        method: 'POST',
        headers: wsHeaders(workstationOf(identifier)),
        body: JSON.stringify({ identifier, password: 'Mauvais-Mot-2027!x' }),
      });
      const body = await r.text();
      const ms = performance.now() - t0;
      bodies.add(`${r.status} ${body}`);
      return ms;
    };
    // Different existing accounts (each stays under its throttle), interleaved with unknown identifiers.
    for (let i = 0; i < pairs; i++) {
      const k = s.identifiers[1 + (i % 10)]!;
      if (i % 2) {
        known.push(await attempt(k));
        unknown.push(await attempt(`inconnu.${i}.${Math.random().toString(36).slice(2, 8)}`));
      } else {
        unknown.push(await attempt(`inconnu.${i}.${Math.random().toString(36).slice(2, 8)}`));
        known.push(await attempt(k));
      }
      if (i % 10 === 9) advance(24 * 3600_000 + 60_000); // let the per-account throttles reset
    }
    const diff = Math.abs(median(known) - median(unknown));
    injected(
      `${pairs} wrong-password sign-ins on existing identifiers, ${pairs} on unknown ones, interleaved`,
    );
    figure('median existing (ms)', median(known));
    figure('median unknown (ms)', median(unknown));
    figure('enumeration: median timing difference (ms)', diff);
    expect(bodies.size, [...bodies].join('\n')).toBe(1);
    checked(`one single answer for both: ${[...bodies][0]}`);
    // Seen at 6.9 ms on 2026-11-22: backend/auth/suspicious.ts withSuspicionRules() runs the failure-flood
    // rule (accountByIdentifier + checkFailureFlood: more queries) AFTER the refusal floor, and only when
    // the identifier exists. Moving that work before the floor (inside signInWithPassword) closes the gap.
    expect(
      diff,
      `existing identifiers answer ${(median(known) - median(unknown)).toFixed(2)} ms slower (median): a timing oracle`,
    ).toBeLessThanOrEqual(5);
    checked(`median difference ${diff.toFixed(2)} ms ≤ 5 ms`);
  });

  it('throttling holds under parallel attempts: a burst of wrong passwords then the right one, in parallel', async () => {
    advance(48 * 3600_000);
    // The throttle's first delays are a second or two: on a loaded machine the requests after the first burst
    // could come after them and be rightly checked. With the clock stopped they come « just after » as meant.
    stopClock();
    const victim = s.identifiers[11]!;
    const burst = count(40, 20);
    const results = await Promise.all(
      Array.from({ length: burst + 1 }, async (_, i) => {
        const r = await fetch(`${proc.url}/v1/auth/password`, {
          method: 'POST',
          headers: wsHeaders(workstationOf(victim)),
          body: JSON.stringify({
            identifier: victim,
            password: i === burst ? PASSWORD : `Essai-${i}-Faux!2027`,
          }),
        });
        return { i, status: r.status, body: (await r.json()) as { code?: string; token?: string } };
      }),
    );
    const right = results[burst]!;
    if (right.body.token) issued.push(right.body.token);
    const counts = await withDb(dbUrl, async (db) => {
      const r = await sql<{ reason: string; n: number }>`
        select e.details->>'reason' as reason, count(*)::int as n from events e join accounts a on a.id = e.account_id
        where a.identifier = ${victim} and e.type = 'sign_in_failed' group by 1`.execute(db);
      return Object.fromEntries(r.rows.map((x) => [x.reason, x.n]));
    });
    injected(`${burst} wrong passwords and the right one, all at once, on one account`);
    figure('password checks performed (sign_in_failed wrong_password)', counts.wrong_password ?? 0);
    figure('refused by the throttle without a check', counts.throttled ?? 0);
    figure('the right password, sent in the burst', `${right.status} ${right.body.code ?? 'signed in'}`);
    const errors = proc
      .output()
      .split('\n')
      .filter((l) => l.includes('"level":50'));
    if (errors.length)
      figure(
        'backend errors during the burst',
        errors
          .slice(0, 2)
          .map((l) => l.slice(0, 600))
          .join('\n'),
      );
    // Seen on 2026-11-22 with a burst of 40: "deadlock detected" (then a 500, now a 503): the failure-flood
    // block (backend/auth/suspicious.ts: account row FOR UPDATE, then the chain head) against the
    // sign_in_failed appends (chain head, then the event's foreign key takes FOR KEY SHARE on the account).
    // FOR NO KEY UPDATE on the account row would not conflict with the key-share lock.
    expect(
      results.filter((r) => r.status >= 500 || r.status === 503).map((r) => `${r.status} ${r.body.code}`),
      'a parallel burst of wrong passwords must not deadlock',
    ).toEqual([]);
    // Refused: 401 INVALID_CREDENTIALS, or 403 once the failure-flood rule (20 in 24 h) blocked the account.
    const wrong = results.filter((r) => r.i < burst);
    expect(
      wrong
        .filter(
          (r) => !(r.status === 401 || (r.status === 403 && r.body.code === 'ACCOUNT_BLOCKED_SUSPICIOUS')),
        )
        .map((r) => `${r.status} ${r.body.code}`),
    ).toEqual([]);
    figure('wrong guesses answered', [...new Set(wrong.map((r) => `${r.status} ${r.body.code}`))].join(', '));
    // After the burst, the throttle is on: the right password is refused now, whatever came before.
    const after = await fetch(`${proc.url}/v1/auth/password`, {
      method: 'POST',
      headers: wsHeaders(workstationOf(victim)),
      body: JSON.stringify({ identifier: victim, password: PASSWORD }),
    });
    figure('the right password just after the burst', after.status);
    expect([401, 403]).toContain(after.status);
    // A second burst: the throttle is now on, not one more password check may happen.
    await Promise.all(
      Array.from({ length: burst }, (_, i) =>
        fetch(`${proc.url}/v1/auth/password`, {
          method: 'POST',
          headers: wsHeaders(workstationOf(victim)),
          body: JSON.stringify({ identifier: victim, password: `Encore-${i}-Faux!2027` }),
        }).then((r) => r.arrayBuffer()),
      ),
    );
    const second = await withDb(dbUrl, async (db) => {
      const r = await sql<{ n: number }>`
        select count(*)::int as n from events e join accounts a on a.id = e.account_id
        where a.identifier = ${victim} and e.type = 'sign_in_failed' and e.details->>'reason' = 'wrong_password'`.execute(
        db,
      );
      return r.rows[0]!.n - (counts.wrong_password ?? 0);
    });
    figure('password checks performed in a second burst', second);
    // A success resets the counter (the right password may win its place in the first burst): then the second
    // burst gets the free attempts again, never more; otherwise the throttle is still on and gets none.
    expect(second).toBeLessThanOrEqual(right.status === 200 ? 3 : 0);
    // The policy lets 3 failures through before slowing down (DEFAULT_ACCOUNT_THROTTLE.freeFailures): at most
    // 3 wrong guesses, plus the right one, may reach the password check in one burst.
    // Seen on 2026-11-22 before the fix: 20 of 20 parallel wrong guesses checked. backend/auth/password.ts now
    // reserves the attempt under a row lock before the password check (reserveAttempt).
    // A success resets the counter (as in Keycloak): when the right password wins a place in the burst, the
    // guesses after it get the 3 free attempts again; never more.
    const allowed = right.status === 200 ? 6 : 4;
    expect(
      counts.wrong_password ?? 0,
      `password checks performed in one parallel burst (policy: 3 free failures; allowed ${allowed})`,
    ).toBeLessThanOrEqual(allowed);
    checked(
      `every wrong guess refused; after the burst even the right password is refused; a second burst gets no more than the free attempts; first burst: ${counts.wrong_password ?? 0} checks (policy: 3 free)`,
    );
    restartClock();
  });

  it('a session cannot outlive 1 h idle nor 4 h in all', async () => {
    advance(48 * 3600_000);
    const a = await login(s.identifiers[2]!);
    expect((await status(a)).status).toBe(200);
    advance(60 * 60_000 + 1000);
    const idle = await status(a);
    injected('clock moved 1 h + 1 s without activity');
    expect(idle).toEqual({ status: 401, code: 'SESSION_IDLE' });
    checked(`idle session refused: ${idle.status} ${idle.code}`);

    const b = await login(s.identifiers[3]!);
    expect((await status(b)).status).toBe(200);
    // Active every 50 minutes: never idle, but 4 h in all.
    for (let t = 50; t < 240; t += 50) {
      advance(50 * 60_000);
      expect((await status(b)).status).toBe(200);
    }
    advance(240 * 60_000 - 200 * 60_000 + 1000);
    const last = await status(b);
    injected('a session used every 50 min, clock moved to 4 h + 1 s after its start');
    expect(last).toEqual({ status: 401, code: 'SESSION_EXPIRED' });
    checked(`active session refused after 4 h: ${last.status} ${last.code}`);
  });

  it('a revoked session and a revoked workstation are refused at once', async () => {
    advance(48 * 3600_000);
    const a = await login(s.identifiers[4]!);
    const b = await login(s.identifiers[4]!);
    expect((await status(b)).status).toBe(200);
    const { 'content-type': _ct, ...noBody } = wsHeaders(workstationOf(a.identifier));
    const r = await fetch(`${proc.url}/v1/sessions/${b.sessionId}`, {
      method: 'DELETE',
      headers: { ...noBody, authorization: `Bearer ${a.token}` },
    });
    expect(r.status).toBe(200);
    const after = await status(b);
    injected('session B revoked from session A (DELETE /v1/sessions/:id)');
    expect(after).toEqual({ status: 401, code: 'SESSION_REVOKED' });
    checked(`the very next call with B: ${after.status} ${after.code}`);

    const c = await login(s.identifiers[5]!);
    expect((await status(c)).status).toBe(200);
    await withDb(dbUrl, (db) =>
      db
        .updateTable('workstations')
        .set({ revoked_at: new Date(Date.now() + offset) })
        .where('id', '=', workstationOf(c.identifier))
        .execute(),
    );
    const ws = await status(c);
    injected("the session's workstation revoked (workstations.revoked_at set)");
    expect(ws).toEqual({ status: 401, code: 'WORKSTATION_REVOKED' });
    const again = await signIn(proc.url, c.identifier);
    expect(again.ok).toBe(false);
    checked(
      `the very next call: ${ws.status} ${ws.code}; a new sign-in from it: ${again.ok ? 'accepted' : `${(again as { status: number }).status} ${(again as { code?: string }).code}`}`,
    );
  });

  it('the unblock steps tell no stranger who exists: one answer and a median timing difference ≤ 5 ms for each', async () => {
    advance(48 * 3600_000);
    const pairs = count(30, 12);
    // Random handles and dates are the same for everyone in kind, not in value: compare the answers' shapes.
    const shape = (status: number, body: string) =>
      `${status} ${body
        .replace(/"[A-Za-z0-9_-]{20,}"/g, '"<handle>"')
        .replace(/"\d{4}-\d\d-\d\dT[^"]+"/g, '"<date>"')
        .replace(/"VG-[A-Z0-9]+"/g, '"<reference>"')}`;
    const steps: { name: string; path: string; body: (identifier: string) => unknown }[] = [
      { name: 'eligibility', path: '/v1/unblock/eligibility', body: (identifier) => ({ identifier }) },
      {
        name: 'security key',
        path: '/v1/unblock/security-key',
        body: (identifier) => ({
          identifier,
          answers: { birth_date: '1970-01-01', practice_postal_code: '75001', iban_last4: '1234' },
        }),
      },
      {
        name: 'postal code request',
        path: '/v1/unblock/postal-code/request',
        body: (identifier) => ({ identifier }),
      },
      {
        name: 'postal code',
        path: '/v1/unblock/postal-code',
        body: (identifier) => ({ identifier, code: 'ABCD-EFGH-JKLM' }),
      },
    ];
    const failures: string[] = [];
    for (const step of steps) {
      const known: number[] = [];
      const unknown: number[] = [];
      const answers = new Set<string>();
      const attempt = async (identifier: string) => {
        const t0 = performance.now();
        const r = await fetch(`${proc.url}${step.path}`, {
          method: 'POST',
          headers: wsHeaders(randomUUID()),
          body: JSON.stringify(step.body(identifier)),
        });
        const body = await r.text();
        const ms = performance.now() - t0;
        answers.add(shape(r.status, body));
        return ms;
      };
      for (let i = 0; i < pairs; i++) {
        const k = s.identifiers[6 + (i % 5)]!;
        const u = `inconnu.${step.name.length}.${i}.${Math.random().toString(36).slice(2, 8)}`;
        if (i % 2) {
          known.push(await attempt(k));
          unknown.push(await attempt(u));
        } else {
          unknown.push(await attempt(u));
          known.push(await attempt(k));
        }
        if (i % 5 === 4) advance(24 * 3600_000 + 60_000); // past the per-identifier waits
      }
      const diff = Math.abs(median(known) - median(unknown));
      figure(
        `${step.name}: median existing / unknown (ms)`,
        `${median(known).toFixed(1)} / ${median(unknown).toFixed(1)}`,
      );
      figure(`${step.name}: median timing difference (ms)`, diff);
      figure(`${step.name}: the answer`, [...answers][0]!.slice(0, 300));
      if (answers.size !== 1)
        failures.push(`${step.name}: ${answers.size} different answers:\n${[...answers].join('\n')}`);
      if (diff > 5)
        failures.push(
          `${step.name}: existing identifiers answer ${(median(known) - median(unknown)).toFixed(2)} ms slower (median): a timing oracle`,
        );
    }
    injected(
      `${pairs} requests on existing identifiers and ${pairs} on unknown ones, interleaved, for each unblock step`,
    );
    expect(failures, failures.join('\n')).toEqual([]);
    checked('each unblock step: one answer for both, median difference ≤ 5 ms');
  });

  it("no token issued during this file appears in the backend's log", () => {
    const leaks = scanLogsForTokens([log], issued);
    injected(`${issued.length} tokens issued; backend log ${proc.output().length} bytes`);
    expect(leaks).toEqual([]);
    checked('none of them in the log');
  });
});
