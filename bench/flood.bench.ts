/**
 * `npm run bench -- flood [--seconds 10]`: one client sends worst-case password strength checks (no session needed)
 * as fast as the backend allows it, while another measures `GET /health`. Prints `/health` p99 without and with the
 * flood, from one workstation id (its own rate-limit bucket) and from a fresh workstation id per request (only the
 * strength pool's bounded queue holds it back). Target: `/health` p99 ≤ 50 ms during the flood.
 * The backend runs in this process with its production rate limits (PGlite in memory), over real HTTP.
 */
import { randomUUID } from 'node:crypto';
import { createBackend } from '../backend/app';
import { HEADER_WORKSTATION } from '../domain/backend-api';
import { percentile, report } from './lib';

/** zxcvbn's slow case (repeated dates), at the 128-character limit. */
const WORST = '19791407'.repeat(16);

export default async function flood(args: string[]): Promise<boolean> {
  const i = args.indexOf('--seconds');
  const seconds = i >= 0 ? Number(args[i + 1]) : 10;
  const b = await createBackend({
    database: 'pglite:memory',
    logLevel: 'silent',
    jobs: { autoStart: false },
    mailer: { kind: 'none' },
  });
  const url = await b.listen(0);
  try {
    const health = async (ms: number) => {
      const out: number[] = [];
      const end = performance.now() + ms;
      while (performance.now() < end) {
        const t0 = performance.now();
        await (await fetch(`${url}/health`)).arrayBuffer();
        out.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 5));
      }
      return out.sort((a, c) => a - c);
    };
    const floodFor = async (ms: number, rotate: boolean) => {
      const counts: Record<number, number> = {};
      const ws = randomUUID();
      const end = performance.now() + ms;
      const loop = async () => {
        while (performance.now() < end) {
          const r = await fetch(`${url}/v1/auth/password/check`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', [HEADER_WORKSTATION]: rotate ? randomUUID() : ws },
            body: JSON.stringify({ password: WORST, identifier: 'comptable.cible' }),
          });
          await r.arrayBuffer();
          counts[r.status] = (counts[r.status] ?? 0) + 1;
        }
      };
      await Promise.all(Array.from({ length: 8 }, loop));
      return counts;
    };
    const ms = seconds * 1000;
    const quiet = await health(ms);
    const [oneWs, countsOne] = await Promise.all([health(ms), floodFor(ms, false)]);
    const [rotating, countsRot] = await Promise.all([health(ms), floodFor(ms, true)]);
    const p99 = (x: number[]) => percentile(x, 99);
    console.log(`/health p99 without flood: ${p99(quiet).toFixed(1)} ms (${quiet.length} requests)`);
    console.log(
      `/health p99 with flood from one workstation: ${p99(oneWs).toFixed(1)} ms; checks answered ${JSON.stringify(countsOne)}`,
    );
    console.log(
      `/health p99 with flood from a new workstation id per request: ${p99(rotating).toFixed(1)} ms; checks answered ${JSON.stringify(countsRot)}`,
    );
    const worst = Math.max(p99(oneWs), p99(rotating));
    return report(
      'flood',
      {
        seconds,
        health_p99_quiet_ms: p99(quiet),
        health_p99_flood_one_ws_ms: p99(oneWs),
        health_p99_flood_rotating_ms: p99(rotating),
        checks_200_one_ws: countsOne[200] ?? 0,
        checks_429_one_ws: countsOne[429] ?? 0,
        checks_200_rotating: countsRot[200] ?? 0,
        checks_503_rotating: countsRot[503] ?? 0,
      },
      worst,
      '<=',
      50,
    );
  } finally {
    await b.close();
  }
}
