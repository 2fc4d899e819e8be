/**
 * The load generator of the login bench, in its own process so that the bench's process CPU is the server's
 * only: password sign-ins over `connections` for `duration` seconds, cycling through `prefix`.0 … `prefix`.(n-1),
 * each proved by the registered workstation (as the workstation core sends it). Started with fork(); takes one
 * message, answers with the counts and latencies, and exits.
 */
import { createPrivateKey } from 'node:crypto';
import autocannon from 'autocannon';
import { proofHeaders } from '../backend/test/proofs';
import { HEADER_APP_VERSION, HEADER_WORKSTATION, HEADER_WORKSTATION_LABEL } from '../domain/backend-api';

export interface LoadOrder {
  url: string;
  connections: number;
  duration: number;
  prefix: string;
  n: number;
  password: string;
  ws: { id: string; privateKeyPem: string };
}
export interface LoadResult {
  total: number;
  non2xx: number;
  errors: number;
  p50: number;
  p99: number;
}

process.once('message', (order: LoadOrder) => {
  const ws = { id: order.ws.id, privateKey: createPrivateKey(order.ws.privateKeyPem) };
  let i = 0;
  void autocannon({
    url: order.url,
    connections: order.connections,
    duration: order.duration,
    requests: [
      {
        method: 'POST',
        path: '/v1/auth/password',
        setupRequest: (req) => {
          const body = { identifier: `${order.prefix}.${i++ % order.n}`, password: order.password };
          return {
            ...req,
            headers: {
              'content-type': 'application/json',
              [HEADER_WORKSTATION]: ws.id,
              [HEADER_WORKSTATION_LABEL]: 'Banc',
              [HEADER_APP_VERSION]: '0.1.0',
              ...proofHeaders(ws, new Date(), 'POST', '/v1/auth/password', body),
            },
            body: JSON.stringify(body),
          };
        },
      },
    ],
  }).then((r) => {
    const result: LoadResult = {
      total: r.requests.total,
      non2xx: r.non2xx,
      errors: r.errors,
      p50: r.latency.p50,
      p99: r.latency.p99,
    };
    process.send!(result, () => process.exit(0));
  });
});
