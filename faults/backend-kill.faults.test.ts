/**
 * The backend process killed with SIGKILL in the middle of concurrent sign-ins, then restarted; on a
 * PostgreSQL 15 server and on PGlite (a folder). Afterwards: every acknowledged sign-in (HTTP 200 with a
 * session) has its session, its `sign_in` event and its mail; nothing is half-written; every chain verifies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBackendProc } from './lib/backend-proc';
import { audit, seed, signIn, withDb, type SignInAck, type Seeded } from './lib/data';
import { createDatabase, startControlledPg, type ControlledPg } from './lib/pg';
import { checked, figure, injected } from './lib/report';
import { scanLogsForTokens } from './lib/tokens';

const SIGNINS = 200;
// At most 2 sign-ins of one account at once: the backend serialises parallel attempts on one identifier
// (anti-guessing), so more than 3 simultaneous sign-ins of the same account are throttled by design.
const ACCOUNTS = 100;

async function killMidway(kind: 'postgres' | 'pglite', database: string, logFile: string, s: Seeded) {
  const proc = await startBackendProc({ database }, logFile);
  const acks: SignInAck[] = [];
  let killedAfter = -1;
  const killAt = Math.floor(SIGNINS / 4);
  const attempts = await Promise.all(
    Array.from({ length: SIGNINS }, async (_, i) => {
      const r = await signIn(proc.url, s.identifiers[i % s.identifiers.length]!);
      if (r.ok) {
        acks.push(r.ack);
        if (acks.length === killAt && killedAfter < 0) {
          killedAfter = acks.length;
          proc.child.kill('SIGKILL');
        }
      }
      return r;
    }),
  );
  await proc.kill();
  const refused = attempts.filter((a) => !a.ok);
  const kinds = new Map<string, number>();
  for (const a of refused)
    if (!a.ok)
      kinds.set(
        `${a.status} ${a.code ?? a.transport ?? ''}`,
        (kinds.get(`${a.status} ${a.code ?? a.transport ?? ''}`) ?? 0) + 1,
      );
  figure(`${kind}: refusals`, JSON.stringify([...kinds]));
  injected(
    `${kind}: SIGKILL of the backend process (pid ${proc.child.pid}) after ${killedAfter} of ${SIGNINS} concurrent sign-ins were acknowledged`,
  );
  figure(`${kind}: acknowledged before/at the kill`, acks.length);
  figure(`${kind}: cut off (connection reset, no answer)`, refused.length);
  expect(killedAfter).toBe(killAt);
  expect(refused.length).toBeGreaterThan(0);
  // Nothing answered anything but 200 or a dropped connection (no 5xx before the kill).
  expect(refused.filter((a) => !a.ok && a.status !== 0)).toEqual([]);

  // Restart on the same database: it comes back and serves sign-ins.
  const again = await startBackendProc({ database }, logFile);
  const after: SignInAck[] = [];
  for (const id of s.identifiers.slice(0, 10)) {
    const r = await signIn(again.url, id);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (r.ok) after.push(r.ack);
  }
  await again.kill();
  checked(`${kind}: restarted on the same database; 10 sign-ins after the restart all succeed`);
  return { acks: [...acks, ...after], tokens: [...acks, ...after].map((a) => a.token) };
}

describe('backend process killed (SIGKILL) during 200 concurrent sign-ins', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vigie-faults-kill-'));
  let pg: ControlledPg | undefined;
  afterAll(() => {
    pg?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('on a PostgreSQL 15 server: no acknowledged sign-in is lost, nothing half-written, chains verify', async () => {
    pg = await startControlledPg();
    const url = createDatabase(pg.url, 'faults_kill');
    const s = await withDb(url, (db) => seed(db, ACCOUNTS));
    const log = join(tmp, 'pg.log');
    const { acks, tokens } = await killMidway('postgres', url, log, s);
    const a = await withDb(url, (db) => audit(db, s.accountIds, acks));
    report('postgres', a);
    expectClean(a);
    expect(scanLogsForTokens([log], tokens)).toEqual([]);
    checked(`postgres: ${tokens.length} issued tokens absent from the backend's logs`);
  });

  it('on PGlite (a folder, one process): same checks after the restart', async () => {
    const url = `pglite:${join(tmp, 'pglite')}`;
    const s = await withDb(url, (db) => seed(db, ACCOUNTS));
    const log = join(tmp, 'pglite.log');
    const { acks, tokens } = await killMidway('pglite', url, log, s);
    const a = await withDb(url, (db) => audit(db, s.accountIds, acks));
    report('pglite', a);
    expectClean(a);
    expect(scanLogsForTokens([log], tokens)).toEqual([]);
    checked(`pglite: ${tokens.length} issued tokens absent from the backend's logs`);
  });
});

function report(kind: string, a: Awaited<ReturnType<typeof audit>>) {
  checked(
    `${kind}: ${a.acknowledged} acknowledged sign-ins -> missing sessions ${a.missingSessions.length}, missing events ${a.missingEvents.length}; ` +
      `sessions ${a.sessions} = sign_in events ${a.signInEvents} = sign-in mails ${a.signInMails} (half-written ${a.halfWritten}); ` +
      `${a.chainsChecked} chains verified, bad ${a.badChains.length}`,
  );
}

function expectClean(a: Awaited<ReturnType<typeof audit>>) {
  expect(a.missingSessions).toEqual([]);
  expect(a.missingEvents).toEqual([]);
  expect(a.halfWritten).toBe(0);
  expect(a.signInMails).toBe(a.sessions);
  expect(a.badChains).toEqual([]);
}
