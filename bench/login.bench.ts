/**
 * Password sign-ins per second through HTTP (Fastify + argon2id verify + session, activity, event chain and
 * outbox writes) against raw argon2id verifications per second with the same parameters and the same
 * concurrency, measured in the same run. Target: ratio ≥ 0.85.
 *
 *   npm run bench -- login [--db=postgres|pglite] [--seconds=8] [--connections=8]
 */
import { randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import autocannon from 'autocannon';
import { createBackend } from '../backend/app';
import { defaultConfig } from '../backend/context';
import { createAccount, createPharmacy } from '../backend/services/accounts';
import { startPgServer } from '../backend/test/pg-server';
import { HEADER_APP_VERSION, HEADER_WORKSTATION, HEADER_WORKSTATION_LABEL } from '../domain/backend-api';
import { report } from './lib';

const PASSWORD = 'Banc-Essai-2027!Lagune';

function arg(args: string[], name: string, dflt: string) {
  return args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
}

async function rawArgon(seconds: number, concurrency: number, stored: string): Promise<number> {
  let n = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        if (!(await verify(stored, PASSWORD))) throw new Error('verify failed');
        n++;
      }
    }),
  );
  return n / seconds;
}

export default async function (args: string[]): Promise<boolean> {
  const dbKind = arg(args, 'db', 'postgres');
  const seconds = Number(arg(args, 'seconds', '8'));
  const connections = Number(arg(args, 'connections', '8'));
  const accounts = 200;
  const pg = dbKind === 'postgres' ? await startPgServer() : null;
  const backend = await createBackend({
    database: pg ? pg.url : 'pglite:memory',
    logLevel: 'silent',
    jobs: { autoStart: false },
    rateLimit: false,
    mailer: { kind: 'none' },
    poolSize: 20,
  });
  try {
    const p = defaultConfig.argon2;
    console.log(`argon2id m=${p.memoryCost} KiB t=${p.timeCost} p=${p.parallelism}; ${connections} connections, ${seconds} s; database ${dbKind}`);
    const stored = await hash(PASSWORD, p);
    const now = new Date();
    await backend.db.transaction().execute(async (trx) => {
      const pharmacyId = await createPharmacy(trx, { finess: '759999921', amNumber: '759999922', name: 'Banc', address: { line1: '1 rue', postalCode: '75001', city: 'Paris' } }, now);
      for (let i = 0; i < accounts; i++) {
        await createAccount(trx, { pharmacyId, kind: i === 0 ? 'holder' : 'password_delegate', displayName: `Compte ${i}`, identifier: `banc.${i}`, nationalId: i === 0 ? '899700099999' : null, email: `banc${i}@x.invalid`, passwordHash: stored }, now, backend.ctx.config);
      }
      const ids = (await trx.selectFrom('accounts').select('id').where('pharmacy_id', '=', pharmacyId).where('kind', '<>', 'holder').execute()).map((r) => r.id);
      const holder = (await trx.selectFrom('accounts').select('id').where('pharmacy_id', '=', pharmacyId).where('kind', '=', 'holder').executeTakeFirstOrThrow()).id;
      for (const id of ids) await trx.insertInto('delegations').values({ holder_account_id: holder, delegate_account_id: id, granted_at: now, granted_by: holder, revoked_at: null, revoked_by: null }).execute();
    });
    const url = await backend.listen(0, '127.0.0.1');

    // Warm up both paths.
    await rawArgon(1, connections, stored);
    let i = 0;
    const ws = randomUUID();
    const run = (duration: number) =>
      autocannon({
        url,
        connections,
        duration,
        requests: [
          {
            method: 'POST',
            path: '/v1/auth/password',
            headers: { 'content-type': 'application/json', [HEADER_WORKSTATION]: ws, [HEADER_WORKSTATION_LABEL]: 'Banc', [HEADER_APP_VERSION]: '0.1.0' },
            setupRequest: (req) => ({ ...req, body: JSON.stringify({ identifier: `banc.${i++ % accounts}`, password: PASSWORD }) }),
          },
        ],
      });
    await run(1);

    // Interleaved rounds, so that other load on the machine weighs on both sides alike.
    const rounds = 4;
    const slice = seconds / rounds;
    let rawSum = 0;
    let ok = 0;
    let non2xx = 0;
    const p50: number[] = [];
    const p99: number[] = [];
    for (let r = 0; r < rounds; r++) {
      rawSum += await rawArgon(slice, connections, stored);
      const http = await run(slice);
      non2xx += http.non2xx + http.errors;
      ok += http.requests.total - http.non2xx - http.errors;
      p50.push(http.latency.p50);
      p99.push(http.latency.p99);
    }
    const raw = rawSum / rounds;
    const httpRate = ok / seconds;
    const ratio = httpRate / raw;
    const http = { latency: { p50: Math.max(...p50), p99: Math.max(...p99) } };
    console.log(`raw argon2id verify: ${raw.toFixed(1)}/s; HTTP sign-ins: ${httpRate.toFixed(1)}/s (worst round p50 ${http.latency.p50} ms, p99 ${http.latency.p99} ms, non-2xx ${non2xx})`);
    return report(
      'login',
      { db: dbKind, connections, seconds, load_avg_1m: (await import('node:os')).loadavg()[0]!, argon2_per_s: raw, signins_per_s: httpRate, p50_ms: http.latency.p50, p99_ms: http.latency.p99, non2xx },
      ratio,
      '>=',
      0.85,
      non2xx === 0,
    );
  } finally {
    await backend.close();
    pg?.stop();
  }
}
