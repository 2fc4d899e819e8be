/**
 * The backend side of e-CPS sign-in: Pro Santé Connect's back-channel flow (CIBA) with openid-client. The
 * backend holds the client secret; the workstation only ever sees a transaction id and the binding message.
 *
 * startEcps(nationalId, bindingMessage) posts to the CIBA endpoint (`login_hint` = national id, `channel=MOBILE`,
 * `acr_values=eidas1`, `scope=openid scope_all`), then polls the token endpoint at the interval until PSC says
 * approved, refused or expired. The ID token is checked by openid-client (signature, issuer, audience, dates);
 * here: the acr, and that `SubjectNameID` is the national id that was asked for.
 */
import { randomInt, randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import { AppError } from '../../../domain/result';

export interface EcpsClientConfig {
  /** The issuer, or the full discovery URL (PSC's is `…/.well-known/wallet-openid-configuration`). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Poll interval when PSC sends none, or to force one (tests): ms. Default 5000. */
  pollIntervalMs?: number;
  /** Use `pollIntervalMs` even when PSC sends an interval (tests only). */
  forcePollInterval?: boolean;
  /** Plain http (the sandbox on 127.0.0.1). Never in production. */
  allowInsecure?: boolean;
  /** Forget finished transactions after this long (ms). */
  keepFinishedMs?: number;
}

export interface EcpsExercice {
  codeProfession?: string;
  codeCategorieProfessionnelle?: string;
  nomDexercice?: string;
  prenomDexercice?: string;
  activities?: Array<Record<string, unknown>>;
}

export type EcpsFinal =
  | {
      status: 'approved';
      /** The verified `SubjectNameID`: the account to sign in. */
      nationalId: string;
      givenName: string | null;
      familyName: string | null;
      exercices: EcpsExercice[];
      acr: string | null;
      authTime: Date | null;
    }
  | { status: 'refused'; message: string }
  | { status: 'expired' }
  /** The user gave up on the workstation. */
  | { status: 'cancelled' }
  | { status: 'error'; message: string };

export type EcpsStatus = { status: 'pending'; expiresAt: Date; bindingMessage: string } | EcpsFinal;

export interface EcpsTransaction {
  /** Our id for the workstation to poll with (never PSC's auth_req_id). */
  id: string;
  nationalId: string;
  bindingMessage: string;
  expiresAt: Date;
  /** Settles once PSC has answered (never rejects). */
  result: Promise<EcpsFinal>;
}

/** A short code the user sees both on the workstation and on the phone, to match them. */
export function bindingMessageFor(app = 'Vigie'): string {
  return `${app} ${String(randomInt(0, 10_000)).padStart(4, '0')}`;
}

interface Tx {
  tx: EcpsTransaction;
  final: EcpsFinal | null;
  finishedAt: number | null;
  abort: AbortController;
}

export class EcpsClient {
  private readonly txs = new Map<string, Tx>();

  private constructor(
    private readonly config: oidc.Configuration,
    private readonly o: EcpsClientConfig,
  ) {}

  static async connect(o: EcpsClientConfig): Promise<EcpsClient> {
    const config = await oidc.discovery(
      new URL(o.issuer),
      o.clientId,
      undefined,
      oidc.ClientSecretBasic(o.clientSecret),
      {
        execute: o.allowInsecure ? [oidc.allowInsecureRequests] : [],
      },
    );
    return new EcpsClient(config, o);
  }

  /** Starts an e-CPS sign-in: the holder gets a notification on the phone showing `bindingMessage`. */
  async startEcps(
    nationalId: string,
    bindingMessage: string,
    opts: { channel?: 'MOBILE' | 'CARD' } = {},
  ): Promise<EcpsTransaction> {
    this.sweep();
    let resp: oidc.BackchannelAuthenticationResponse;
    try {
      resp = await oidc.initiateBackchannelAuthentication(this.config, {
        scope: 'openid scope_all',
        login_hint: nationalId,
        binding_message: bindingMessage,
        acr_values: 'eidas1',
        channel: opts.channel ?? 'MOBILE',
      });
    } catch (e) {
      if (
        e instanceof oidc.ResponseBodyError &&
        (e.error === 'unknown_user_id' || e.error === 'access_denied')
      ) {
        throw new AppError('ECPS_REFUSED', "Pro Santé Connect ne connaît pas d'e-CPS pour ce professionnel.");
      }
      throw new AppError(
        'UNAVAILABLE',
        'Pro Santé Connect ne répond pas pour le moment. Réessayez dans un instant.',
        true,
      );
    }
    const abort = new AbortController();
    const expiresAt = new Date(Date.now() + resp.expires_in * 1000);
    const ms =
      this.o.forcePollInterval || resp.interval === undefined
        ? (this.o.pollIntervalMs ?? 5000)
        : resp.interval * 1000;
    const id = randomUUID();
    const entry: Tx = { tx: undefined as never, final: null, finishedAt: null, abort };
    const result = this.poll({ ...resp, interval: ms / 1000 }, nationalId, abort.signal, expiresAt).then(
      (f) => {
        entry.final = f;
        entry.finishedAt = Date.now();
        return f;
      },
    );
    entry.tx = { id, nationalId, bindingMessage, expiresAt, result };
    this.txs.set(id, entry);
    return entry.tx;
  }

  /** Where a transaction stands (for the workstation's polling); null if unknown or forgotten. */
  status(id: string): EcpsStatus | null {
    const t = this.txs.get(id);
    if (!t) return null;
    return t.final ?? { status: 'pending', expiresAt: t.tx.expiresAt, bindingMessage: t.tx.bindingMessage };
  }

  /** The user gave up on the workstation: stop polling. */
  cancel(id: string) {
    this.txs.get(id)?.abort.abort();
  }

  /** Stops every poll (backend shutdown). */
  close() {
    for (const t of this.txs.values()) t.abort.abort();
  }

  private sweep() {
    const keep = this.o.keepFinishedMs ?? 10 * 60_000;
    for (const [k, t] of this.txs)
      if (t.finishedAt !== null && Date.now() - t.finishedAt > keep) this.txs.delete(k);
  }

  private async poll(
    resp: oidc.BackchannelAuthenticationResponse,
    nationalId: string,
    cancel: AbortSignal,
    expiresAt: Date,
  ): Promise<EcpsFinal> {
    const signal = AbortSignal.any([
      cancel,
      AbortSignal.timeout(Math.max(0, expiresAt.getTime() - Date.now()) + 1000),
    ]);
    try {
      const tokens = await oidc.pollBackchannelAuthenticationGrant(this.config, resp, undefined, { signal });
      let claims: Record<string, unknown> = { ...(tokens.claims() ?? {}) };
      if (claims.SubjectNameID === undefined) {
        claims = {
          ...claims,
          ...(await oidc.fetchUserInfo(this.config, tokens.access_token, String(claims.sub))),
        };
      }
      const acr = typeof claims.acr === 'string' ? claims.acr : null;
      if (acr !== 'eidas1')
        return {
          status: 'error',
          message: "Pro Santé Connect n'a pas confirmé le niveau d'authentification attendu (eidas1).",
        };
      if (claims.SubjectNameID !== nationalId)
        return {
          status: 'error',
          message: 'Pro Santé Connect a répondu pour une autre personne que celle demandée.',
        };
      const ref = claims.SubjectRefPro as { exercices?: EcpsExercice[] } | undefined;
      return {
        status: 'approved',
        nationalId,
        givenName: typeof claims.given_name === 'string' ? claims.given_name : null,
        familyName: typeof claims.family_name === 'string' ? claims.family_name : null,
        exercices: Array.isArray(ref?.exercices) ? ref.exercices : [],
        acr,
        authTime: typeof claims.auth_time === 'number' ? new Date(claims.auth_time * 1000) : null,
      };
    } catch (e) {
      if (cancel.aborted) return { status: 'cancelled' };
      if (e instanceof oidc.ResponseBodyError) {
        if (e.error === 'access_denied')
          return {
            status: 'refused',
            message: e.error_description ?? 'La demande a été refusée sur le téléphone.',
          };
        if (e.error === 'expired_token') return { status: 'expired' };
        return { status: 'error', message: `Pro Santé Connect : ${e.error}` };
      }
      const name = (e as { name?: string; cause?: { name?: string } }).name;
      if (
        name === 'TimeoutError' ||
        name === 'AbortError' ||
        (e as { cause?: { name?: string } }).cause?.name === 'TimeoutError'
      )
        return { status: 'expired' };
      return { status: 'error', message: 'Pro Santé Connect ne répond pas.' };
    }
  }
}
