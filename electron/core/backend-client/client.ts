/**
 * The workstation core's client of the account backend. Calls are derived from the route table of
 * domain/backend-api (method, path, schemas): no path is typed here. Requests are validated before they
 * leave, answers are validated when they arrive, and every failure is a `Result` with a stable code:
 * network failures and timeouts are BACKEND_UNREACHABLE (retryable), TLS failures BACKEND_TLS_ERROR.
 * The token lives in this object only; it is never logged (the optional log gets route, status and time).
 */
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import type { z } from 'zod';
import {
  ErrorBodySchema,
  HEADER_APP_VERSION,
  HEADER_WORKSTATION,
  HEADER_WORKSTATION_LABEL,
  HEADER_SERVER_TIME,
  HEADER_WORKSTATION_PROOF,
  HEADER_WORKSTATION_NONCE,
  HEADER_WORKSTATION_TIME,
  routes,
  workstationProofMessage,
  type ErrorBody,
  type RouteDef,
  type Routes,
} from '../../../domain/backend-api';
import { ERROR_CODES, type ErrorCode } from '../../../domain/errors';
import { isAllowedBackendUrl } from '../../../domain/policy/backend-url';
import { err, ok, type Err, type Result } from '../../../domain/result';
import { sessionVerdict } from '../session/verdicts';

export interface BackendClientOptions {
  /** e.g. `https://vigie.pharmacie.example:8787` */
  baseUrl: string;
  workstation: {
    id: string;
    label: string;
    /** Signs with the workstation key (Ed25519, base64); absent without a keychain (an unregistered workstation). */
    sign?: (message: string) => string;
  };
  appVersion: string;
  /** PEM of a CA (or of the self-signed server certificate) to trust, in addition to nothing else. */
  ca?: string | Buffer;
  /** SHA-256 fingerprint of the server certificate (hex, colons optional): the connection fails otherwise. */
  pinnedCertSha256?: string;
  timeoutMs?: number;
  /** Called after each call, for diagnostics. Never receives tokens, bodies or personal data. */
  log?: (entry: { route: string; status: number | null; ms: number; code?: ErrorCode }) => void;
}

type Out<T> = T extends z.ZodType ? z.output<T> : never;
type In<T> = T extends z.ZodType ? z.input<T> : undefined;

export type CallInput<R extends RouteDef> = (R['params'] extends z.ZodType
  ? { params: In<R['params']> }
  : { params?: undefined }) &
  (R['query'] extends z.ZodType ? { query?: In<R['query']> } : { query?: undefined }) &
  (R['body'] extends z.ZodType ? { body: In<R['body']> } : { body?: undefined });

export type CallOutput<R extends RouteDef> = R['produces'] extends 'text/csv' ? string : Out<R['response']>;

/** A failure from the backend: the stable code, plus what the body said (e.g. the block's reason and ways out). */
export type ClientErr = Err & { status?: number; body?: ErrorBody };
export type ClientResult<T> = Result<T> | ClientErr;

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'VIGIE_CERT_PIN_MISMATCH',
]);

function causeCode(e: unknown): string | undefined {
  let c: unknown = e;
  for (let i = 0; i < 5 && c && typeof c === 'object'; i++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}

const normalizeFp = (s: string) => s.replace(/:/g, '').toLowerCase();

/** The SHA-256 fingerprint (hex) of a PEM certificate: what `pinnedCertSha256` expects. */
export function certificateSha256(pem: string | Buffer): string {
  return normalizeFp(new X509Certificate(pem).fingerprint256);
}

export class BackendClient {
  private token: string | null = null;
  /** The server's clock minus ours, from its answers (signed requests carry the server's time, not ours). */
  private serverOffsetMs = 0;
  private readonly dispatcher: Agent | undefined;

  constructor(private readonly o: BackendClientOptions) {
    if (!isAllowedBackendUrl(o.baseUrl)) {
      throw new Error(
        `backend URL refused: HTTPS is required except on this machine (${new URL(o.baseUrl).origin})`,
      );
    }
    if (o.ca || o.pinnedCertSha256) {
      const pin = o.pinnedCertSha256 ? normalizeFp(o.pinnedCertSha256) : null;
      this.dispatcher = new Agent({
        connect: {
          ...(o.ca ? { ca: o.ca } : {}),
          checkServerIdentity: (host: string, cert: PeerCertificate) => {
            const e = checkServerIdentity(host, cert);
            if (e) return e;
            if (pin && createHash('sha256').update(cert.raw).digest('hex') !== pin) {
              return Object.assign(new Error('server certificate does not match the pinned fingerprint'), {
                code: 'VIGIE_CERT_PIN_MISMATCH',
              });
            }
            return undefined;
          },
        },
      });
    }
  }

  get signedIn(): boolean {
    return this.token !== null;
  }

  /** Forgets the token (after sign-out, or when the session ended). */
  forget(): void {
    this.token = null;
  }

  /** Restores a token kept in the OS keychain by the core. */
  useToken(token: string | null): void {
    this.token = token;
  }

  async call<N extends keyof Routes>(
    name: N,
    input: CallInput<Routes[N]> = {} as CallInput<Routes[N]>,
  ): Promise<ClientResult<CallOutput<Routes[N]>>> {
    const offset = this.serverOffsetMs;
    const r = await this.callOnce(name, input);
    // A proof refused for its time, signed before we knew how far our clock is from the server's (the answer
    // told us): once more, with the server's time.
    if (!r.ok && r.code === 'WORKSTATION_PROOF_INVALID' && Math.abs(this.serverOffsetMs - offset) > 5_000) {
      return this.callOnce(name, input);
    }
    return r;
  }

  private async callOnce<N extends keyof Routes>(
    name: N,
    input: CallInput<Routes[N]>,
  ): Promise<ClientResult<CallOutput<Routes[N]>>> {
    const def = routes[name] as RouteDef;
    const t0 = performance.now();
    const done = <T extends ClientResult<unknown>>(r: T, status: number | null): T => {
      this.o.log?.({
        route: String(name),
        status,
        ms: Math.round(performance.now() - t0),
        ...(r.ok ? {} : { code: r.code }),
      });
      return r;
    };
    const i = input as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };

    // Validate before sending: a malformed call is our bug, reported as such, and costs no round trip.
    let path = def.path;
    if (def.params) {
      const p = def.params.safeParse(i.params);
      if (!p.success) return done(err('INVALID_REQUEST', 'Paramètres invalides.'), null);
      for (const [k, v] of Object.entries(p.data as Record<string, unknown>))
        path = path.replace(`:${k}`, encodeURIComponent(String(v)));
    }
    const url = new URL(path, this.o.baseUrl);
    if (def.query && i.query) {
      const q = def.query.safeParse(i.query);
      if (!q.success) return done(err('INVALID_REQUEST', 'Filtres invalides.'), null);
      for (const [k, v] of Object.entries(i.query))
        if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    }
    let body: string | undefined;
    if (def.body) {
      const b = def.body.safeParse(i.body);
      if (!b.success) return done(err('INVALID_REQUEST', 'Requête invalide.'), null);
      body = JSON.stringify(i.body);
    }

    const headers: Record<string, string> = {
      accept: def.produces ?? 'application/json',
      [HEADER_WORKSTATION]: this.o.workstation.id,
      [HEADER_WORKSTATION_LABEL]: encodeURIComponent(this.o.workstation.label),
      [HEADER_APP_VERSION]: this.o.appVersion,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.o.workstation.sign) {
      // Every request of a workstation that holds its key carries its proof (the backend checks it once the key
      // is registered): its id, the server's time as we estimate it, a nonce, the method, path and body's hash.
      const time = new Date(Date.now() + this.serverOffsetMs).toISOString();
      const nonce = randomBytes(16).toString('base64url');
      const bodySha256 = createHash('sha256')
        .update(body ?? '', 'utf8')
        .digest('base64url');
      headers[HEADER_WORKSTATION_TIME] = time;
      headers[HEADER_WORKSTATION_NONCE] = nonce;
      headers[HEADER_WORKSTATION_PROOF] = this.o.workstation.sign(
        workstationProofMessage({
          workstationId: this.o.workstation.id,
          time,
          nonce,
          method: def.method,
          path: url.pathname + url.search,
          bodySha256,
        }),
      );
    }
    if (def.auth === 'optional_session') {
      if (this.token) headers.authorization = `Bearer ${this.token}`;
    } else if (def.auth !== 'none') {
      if (!this.token) return done(err('UNAUTHENTICATED', 'Connexion requise.'), null);
      headers.authorization = `Bearer ${this.token}`;
    }

    let res: Response;
    try {
      const init = {
        method: def.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 15_000),
      };
      res = this.dispatcher
        ? ((await undiciFetch(url, { ...init, dispatcher: this.dispatcher })) as unknown as Response)
        : await fetch(url, init);
    } catch (e) {
      const code = causeCode(e);
      if (code && (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))) {
        return done(
          err('BACKEND_TLS_ERROR', 'Le certificat du serveur Vigie n’est pas celui attendu.'),
          null,
        );
      }
      return done(err('BACKEND_UNREACHABLE', 'Le serveur Vigie ne répond pas.', true), null);
    }

    const serverTime = Date.parse(res.headers.get(HEADER_SERVER_TIME) ?? '');
    if (Number.isFinite(serverTime)) this.serverOffsetMs = serverTime - Date.now();
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      const parsed = ErrorBodySchema.safeParse(safeJson(text));
      const e: ClientErr = parsed.success
        ? {
            ...err(parsed.data.code, parsed.data.message, parsed.data.retryable),
            status: res.status,
            body: parsed.data,
          }
        : {
            ...err(
              res.status >= 500 ? 'UNAVAILABLE' : 'INVALID_REQUEST',
              `Réponse HTTP ${res.status}.`,
              res.status >= 500,
            ),
            status: res.status,
          };
      // The backend session is gone (idle, 4 h, revoked): its token is of no more use (../session/verdicts.ts).
      if (sessionVerdict(e.code)) this.token = null;
      return done(e, res.status);
    }
    if (def.produces === 'text/csv') return done(ok(text as CallOutput<Routes[N]>), res.status);
    const parsed = def.response.safeParse(safeJson(text));
    if (!parsed.success) return done(err('INTERNAL', 'Réponse inattendue du serveur Vigie.'), res.status);
    const value = parsed.data as CallOutput<Routes[N]>;
    if (def.opensSession) {
      // A SignInResponse, at the top (password, card) or under `session` (e-CPS once approved).
      const v = value as { token?: unknown; session?: { token?: unknown } };
      const token =
        typeof v.token === 'string' ? v.token : typeof v.session?.token === 'string' ? v.session.token : null;
      if (token) this.token = token;
    }
    if (name === 'signOut' || name === 'revokeAllSessions') this.token = null;
    return done(ok(value), res.status);
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export const isErrorCode = (c: string): c is ErrorCode => (ERROR_CODES as readonly string[]).includes(c);
