/**
 * Fuzzing every HTTP route of the route table (domain/backend-api/routes.ts) with fast-check: random JSON,
 * objects with the schema's own keys and wrong values, garbage bytes, wrong content types, random path
 * params, queries and auth headers. Never a 5xx; a request refused as invalid (400/404/413/415) changes
 * nothing (a checksum of the tables before and after).
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../backend/app';
import { routes, type RouteDef } from '../domain/backend-api';
import { ARGON, PASSWORD, seed, workstationOf, wsHeaders, type Seeded } from './lib/data';
import { checked, count, figure, injected } from './lib/report';

const keysOf = (schema: unknown): string[] => {
  const z = schema as
    | { shape?: Record<string, unknown>; _zod?: { def?: { shape?: Record<string, unknown>; in?: unknown } } }
    | undefined;
  const shape = z?.shape ?? z?._zod?.def?.shape;
  if (shape) return Object.keys(shape);
  if (z?._zod?.def?.in) return keysOf(z._zod.def.in);
  return [];
};

const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.uuid(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    '__proto__',
    'constructor',
    "'; drop table events; --",
    'a'.repeat(5000),
    '8997000123456',
    '759999902',
  ),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
);

async function checksum(db: Backend['db']): Promise<string> {
  const r = await sql<Record<string, unknown>>`
    select (select count(*) from events) as events, (select coalesce(max(id), 0) from events) as last_event,
           (select count(*) from sessions) as sessions, (select count(*) from sessions where revoked_at is not null) as revoked,
           (select count(*) from outbox) as outbox, (select count(*) from accounts) as accounts,
           (select string_agg(state || coalesce(block_reason, ''), ',' order by id) from accounts) as states,
           (select coalesce(sum(failures), 0) from login_throttle) as throttle,
           (select count(*) from workstations) as workstations, (select count(*) from delegations where revoked_at is null) as delegations,
           (select string_agg(coalesce(ends_at::text, '-'), ',' order by id) from delegations) as delegation_ends`.execute(
    db,
  );
  return JSON.stringify(r.rows[0]);
}

describe('HTTP fuzzing of every route', () => {
  let backend: Backend;
  let s: Seeded;
  let token = '';
  const login = async () => {
    const r = await backend.app.inject({
      method: 'POST',
      url: '/v1/auth/password',
      headers: wsHeaders(workstationOf(s.identifiers[0]!)),
      payload: JSON.stringify({ identifier: s.identifiers[0], password: PASSWORD }),
    });
    expect(r.statusCode).toBe(200);
    token = r.json<{ token: string }>().token;
  };

  beforeAll(async () => {
    backend = await createBackend({
      database: 'pglite:memory',
      logLevel: 'silent',
      jobs: { autoStart: false },
      rateLimit: false,
      failureFloorMs: 1,
      mailer: { kind: 'none' },
      config: { argon2: ARGON },
    });
    s = await seed(backend.db, 4, 'fuzz');
    await login();
  });
  afterAll(async () => {
    await backend?.close();
  });

  it('never a 5xx; an invalid request changes nothing', async () => {
    const table = Object.entries(routes) as [string, RouteDef][];
    const request = fc.record({
      route: fc.constantFrom(...table),
      body: fc.oneof(
        { weight: 4, arbitrary: fc.constant('keys' as const) },
        { weight: 2, arbitrary: fc.constant('json' as const) },
        { weight: 1, arbitrary: fc.constant('garbage' as const) },
        { weight: 1, arbitrary: fc.constant('none' as const) },
      ),
      values: fc.array(value, { minLength: 6, maxLength: 6 }),
      drop: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
      extra: fc.option(fc.tuple(fc.string({ maxLength: 10 }), value), { nil: undefined }),
      json: fc.jsonValue({ maxDepth: 4 }),
      garbage: fc.uint8Array({ maxLength: 200 }),
      contentType: fc.constantFrom(
        'application/json',
        'application/json',
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
      ),
      param: fc.oneof(
        fc.uuid(),
        fc.string({ maxLength: 30 }),
        fc.integer().map(String),
        fc.constant('../../etc/passwd'),
      ),
      query: fc.dictionary(
        fc.oneof(
          fc.constantFrom('limit', 'cursor', 'type', 'method', 'from', 'to', 'outcome', 'accountId'),
          fc.string({ maxLength: 8 }),
        ),
        fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String)),
        { maxKeys: 3 },
      ),
      auth: fc.constantFrom('valid', 'valid', 'none', 'random', 'other-workstation'),
    });
    let n = 0;
    let invalid = 0;
    const statuses = new Map<number, number>();
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(request, async (q) => {
        const [name, def] = q.route;
        n++;
        const keys = keysOf(def.body);
        let payload: string | Buffer | undefined;
        if (q.body === 'keys') {
          const o: Record<string, unknown> = {};
          keys.forEach((k, i) => {
            if (!q.drop[i % 6]) o[k] = q.values[i % 6];
          });
          if (q.extra) o[q.extra[0]] = q.extra[1];
          payload = JSON.stringify(o);
        } else if (q.body === 'json') payload = JSON.stringify(q.json);
        else if (q.body === 'garbage') payload = Buffer.from(q.garbage);
        const path = def.path.replace(/:[a-zA-Z]+/g, () => encodeURIComponent(q.param));
        const qs = new URLSearchParams(q.query).toString();
        const headers: Record<string, string> = {
          ...wsHeaders(q.auth === 'other-workstation' ? 'poste-inconnu' : workstationOf(s.identifiers[0]!)),
        };
        delete headers['content-type'];
        if (payload !== undefined) headers['content-type'] = q.contentType;
        if (q.auth === 'valid' || q.auth === 'other-workstation') headers.authorization = `Bearer ${token}`;
        if (q.auth === 'random') headers.authorization = `Bearer ${q.param}`;
        const before = await checksum(backend.db);
        const res = await backend.app.inject({
          method: def.method,
          url: `${path}${qs ? `?${qs}` : ''}`,
          headers,
          ...(payload !== undefined ? { payload } : {}),
        });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500)
          throw new Error(
            `${name} ${def.method} ${path}?${qs} → ${res.statusCode} ${res.body.slice(0, 300)} (payload ${String(payload).slice(0, 200)})`,
          );
        if ([400, 404, 413, 415].includes(res.statusCode)) {
          invalid++;
          const after = await checksum(backend.db);
          if (after !== before)
            throw new Error(
              `${name}: invalid request (${res.statusCode} ${res.body.slice(0, 120)}) changed the state:\n${before}\n${after}`,
            );
          const code = (res.json() as { code?: string }).code;
          if (!code) throw new Error(`${name}: ${res.statusCode} without a code: ${res.body.slice(0, 200)}`);
        }
        // Keep a live session for the next runs (sign-out, revoke-all and the like are valid requests).
        if (res.statusCode < 300 || res.statusCode === 401 || res.statusCode === 403) {
          const { 'content-type': _ct, ...plain } = wsHeaders(workstationOf(s.identifiers[0]!));
          const cur = await backend.app.inject({
            method: 'GET',
            url: '/v1/session',
            headers: { ...plain, authorization: `Bearer ${token}` },
          });
          if (cur.statusCode !== 200) await login();
        }
      }),
      {
        numRuns: count(2000, 400),
        interruptAfterTimeLimit: count(120_000, 40_000),
        markInterruptAsFailure: false,
        seed: Number(process.env.FAULTS_SEED ?? Date.now() % 1e9),
      },
    );
    injected(
      `${n} fuzzed requests over ${table.length} routes in ${Math.round(performance.now() - started)} ms (random JSON, schema keys with wrong values, garbage bytes, wrong content types, random params/queries/tokens)`,
    );
    figure(
      'answers by status',
      [...statuses]
        .sort((a, b) => a[0] - b[0])
        .map(([k, v]) => `${k}×${v}`)
        .join(' '),
    );
    expect(n).toBeGreaterThan(50);
    checked(`no 5xx; ${invalid} invalid requests (400/404/413/415) each with a code and no state change`);
  });
});
