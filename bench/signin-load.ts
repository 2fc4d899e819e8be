/**
 * The load generator of the login bench, in its own process so that the bench's process CPU is the server's
 * only: password sign-ins over `connections` for `duration` seconds, through `prefix`.0 … `prefix`.(n-1), each
 * account always on the same registered workstation, which proves its requests (as the workstation core does).
 * With `totpSecret`, each account has an authenticator app and a sign-in is its two steps: the password, then the
 * app's code for the ticket (counted as one sign-in). Started with fork(); takes one message, answers with the
 * counts and latencies, and exits.
 */
import { createPrivateKey } from 'node:crypto';
import autocannon from 'autocannon';
import { totpCode } from '../backend/auth/factors/secret';
import { proofHeaders } from '../backend/test/proofs';
import { HEADER_APP_VERSION, HEADER_WORKSTATION, HEADER_WORKSTATION_LABEL } from '../domain/backend-api';

export interface LoadOrder {
  url: string;
  connections: number;
  duration: number;
  prefix: string;
  n: number;
  /** The first account used (so that two runs use different accounts: a TOTP code is accepted once). */
  start?: number;
  password: string;
  totpSecret?: string;
  /** Plain GET /health requests instead of sign-ins: what any request costs the server (the login bench's floor). */
  health?: boolean;
  /** The workstations, one per connection (as at a pharmacy: one person signs in at a time on each). */
  ws: { id: string; privateKeyPem: string }[];
}
export interface LoadResult {
  total: number;
  non2xx: number;
  errors: number;
  p50: number;
  p99: number;
  /** The first refusals' status and body, to say why. */
  refusals: string[];
}

process.once('message', (order: LoadOrder) => {
  const wss = order.ws.map((w) => ({ id: w.id, privateKey: createPrivateKey(w.privateKeyPem) }));
  // One sign-in at a time on each workstation, as at a pharmacy: a sign-in takes the next free one and keeps it until
  // its last step answers (autocannon clears the context at each new sign-in, so a connection has no workstation of its
  // own). Several people at once on one workstation would be throttled as one source sending codes in a burst.
  let nextWs = 0;
  const busy = new Set<number>();
  const wsOf = (context: object) => {
    const c = context as { ws?: number };
    if (c.ws === undefined) {
      let k = nextWs;
      while (busy.has(k % wss.length) && k < nextWs + wss.length) k++;
      c.ws = k % wss.length;
      nextWs = k + 1;
      busy.add(c.ws);
    }
    return wss[c.ws]!;
  };
  const release = (context: object) => {
    const c = context as { ws?: number };
    if (c.ws !== undefined) busy.delete(c.ws);
  };
  const refusals: string[] = [];
  const noteRefusal = (path: string, status: number, body: string) => {
    if (status !== 200 && refusals.length < 5) refusals.push(`${path} ${status} ${body.slice(0, 200)}`);
  };
  // Each account signs in on one workstation only, as a person does at a pharmacy (the same password account open
  // on two workstations at once is shared credentials, blocked as suspicious): workstation w takes the accounts
  // w, w + n_ws, w + 2 n_ws … in turn.
  const perWs = Math.max(1, Math.floor(order.n / wss.length));
  const next = wss.map(() => Math.floor((order.start ?? 0) / wss.length));
  const identifierOn = (w: number) => `${order.prefix}.${w + wss.length * (next[w]!++ % perWs)}`;
  const headers = (context: object, path: string, body: unknown) => {
    const ws = wsOf(context);
    return {
      'content-type': 'application/json',
      [HEADER_WORKSTATION]: ws.id,
      [HEADER_WORKSTATION_LABEL]: 'Banc',
      [HEADER_APP_VERSION]: '0.1.0',
      ...proofHeaders(ws, new Date(), 'POST', path, body),
    };
  };
  const password: autocannon.Request = {
    method: 'POST',
    path: '/v1/auth/password',
    setupRequest: (req, context) => {
      wsOf(context);
      const body = { identifier: identifierOn((context as { ws: number }).ws), password: order.password };
      return { ...req, headers: headers(context, '/v1/auth/password', body), body: JSON.stringify(body) };
    },
    onResponse: (status, body, context) => {
      noteRefusal('/v1/auth/password', status, body);
      if (!order.totpSecret || status !== 200) release(context);
      if (status === 200)
        (context as { ticket?: string }).ticket = (JSON.parse(body) as { secondStep?: { ticket: string } })
          .secondStep?.ticket;
    },
  };
  const secret = order.totpSecret;
  const secondStep: autocannon.Request = {
    method: 'POST',
    path: '/v1/auth/second-factor',
    setupRequest: (req, context) => {
      const ticket = String((context as { ticket?: string }).ticket);
      const body = { ticket, method: 'totp', code: totpCode(secret!, new Date()) };
      return {
        ...req,
        headers: headers(context, '/v1/auth/second-factor', body),
        body: JSON.stringify(body),
      };
    },
    onResponse: (status, body, context) => {
      noteRefusal('/v1/auth/second-factor', status, body);
      release(context);
    },
  };
  void autocannon({
    url: order.url,
    connections: order.connections,
    duration: order.duration,
    requests: order.health
      ? [{ method: 'GET', path: '/health' }]
      : secret
        ? [password, secondStep]
        : [password],
  }).then((r) => {
    const result: LoadResult = {
      total: secret ? Math.floor(r.requests.total / 2) : r.requests.total,
      non2xx: r.non2xx,
      errors: r.errors,
      p50: r.latency.p50,
      p99: r.latency.p99,
      refusals,
    };
    process.send!(result, () => process.exit(0));
  });
});
