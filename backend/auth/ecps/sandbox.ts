/**
 * The Pro Santé Connect sandbox: a real OpenID provider (oidc-provider) with CIBA in poll mode, shaped like PSC:
 * scopes `openid scope_all`, `acr_values=eidas1`, the custom `channel` parameter (CARD or MOBILE), and the PSC
 * claims (`SubjectNameID` = national id, `SubjectRefPro.exercices[]`, names). The "phone" is a function: a test
 * or the demo lists the pending requests and approves or refuses one.
 *
 * Used by tests and the demo only; production talks to PSC itself.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PHONE_PATH, servePhone } from './sandbox-phone';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

export interface PscExercice {
  codeProfession: string;
  codeCategorieProfessionnelle: string;
  codeSavoirFaire?: string;
  codeTypeSavoirFaire?: string;
  nomDexercice: string;
  prenomDexercice: string;
  activities: Array<{
    codeModeExercice?: string;
    codeSecteurDactivite?: string;
    numeroFinessSite?: string;
    raisonSocialeSite?: string;
    codePostalSite?: string;
    communeSite?: string;
  }>;
}

export interface PscPerson {
  /** `8` + RPPS: becomes `SubjectNameID` (and the CIBA `login_hint`). */
  nationalId: string;
  givenName: string;
  familyName: string;
  /** Has the e-CPS application activated on a phone (else a MOBILE request is refused at once). */
  ecps?: boolean;
  exercices?: PscExercice[];
}

export interface PendingEcpsRequest {
  authReqId: string;
  nationalId: string;
  bindingMessage: string | null;
  channel: string | null;
  scope: string;
  acrValues: string | null;
  clientId: string;
  expiresAt: Date;
}

export interface PscSandbox {
  /** The issuer URL (discovery at `${issuer}/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /**
   * The "phone" page (e-CPS app stand-in) for the demo: lists pending requests with Approve / Refuse. Also
   * `GET …/pending.json`, `POST …/approve/<authReqId>` and `POST …/refuse/<authReqId>` for tests in another process.
   */
  phoneUrl: string;
  /** Requests waiting for the phone. */
  pending(): PendingEcpsRequest[];
  /** Resolves with the first pending request that matches (default: any), waiting for it if needed. */
  waitForPending(match?: (r: PendingEcpsRequest) => boolean, timeoutMs?: number): Promise<PendingEcpsRequest>;
  /** The holder confirmed on the phone. */
  approve(authReqId: string): Promise<void>;
  /** The holder refused on the phone (or did not recognise the request). */
  refuse(authReqId: string, description?: string): Promise<void>;
  close(): Promise<void>;
}

export interface PscSandboxOptions {
  people: PscPerson[];
  clientId?: string;
  clientSecret?: string;
  /** Life of a CIBA request, seconds (PSC: 120). */
  requestTtlS?: number;
  host?: string;
  port?: number;
}

const PHARMACIEN: Omit<PscExercice, 'nomDexercice' | 'prenomDexercice'> = {
  codeProfession: '21',
  codeCategorieProfessionnelle: 'C',
  codeSavoirFaire: '',
  codeTypeSavoirFaire: '',
  activities: [{ codeModeExercice: 'L', codeSecteurDactivite: 'SA33', raisonSocialeSite: 'PHARMACIE TEST' }],
};

/** PSC lets a short human text through; refuse only what could not be shown on a phone. */
function checkBindingMessage(m: string | undefined) {
  if (m === undefined) return;
  if (!/^[\p{L}\p{N} .,:;!?'’()/#+_-]{1,64}$/u.test(m))
    throw new errors.InvalidBindingMessage('binding_message: 1 to 64 plain characters');
}

export async function startPscSandbox(o: PscSandboxOptions): Promise<PscSandbox> {
  const people = new Map(o.people.map((p) => [p.nationalId, p]));
  const clientId = o.clientId ?? 'vigie-backend';
  const clientSecret = o.clientSecret ?? randomBytes(24).toString('base64url');
  const pending = new Map<string, PendingEcpsRequest>();
  const bus = new EventEmitter();

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${o.host ?? '127.0.0.1'}:${port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingJwk = {
    ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>),
    kid: 'psc-sandbox',
    use: 'sig',
    alg: 'RS256',
  };

  const claimsOf = (p: PscPerson) => ({
    sub: p.nationalId,
    SubjectNameID: p.nationalId,
    preferred_username: p.nationalId,
    given_name: p.givenName,
    family_name: p.familyName,
    SubjectRefPro: {
      codeCivilite: '',
      exercices: p.exercices ?? [{ ...PHARMACIEN, nomDexercice: p.familyName, prenomDexercice: p.givenName }],
    },
  });

  const config: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['urn:openid:params:grant-type:ciba'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        backchannel_token_delivery_mode: 'poll',
        id_token_signed_response_alg: 'RS256',
      },
    ],
    jwks: { keys: [signingJwk as never] },
    scopes: ['openid', 'scope_all'],
    claims: {
      openid: ['sub', 'SubjectNameID', 'SubjectRefPro', 'preferred_username', 'given_name', 'family_name'],
    },
    conformIdTokenClaims: false,
    acrValues: ['eidas1'],
    extraParams: ['channel'],
    findAccount: async (_ctx, id) => {
      const p = people.get(id);
      if (!p) return undefined;
      return { accountId: id, claims: async () => claimsOf(p) };
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      ciba: {
        enabled: true,
        deliveryModes: ['poll'],
        processLoginHint: async (_ctx: KoaContextWithOIDC, loginHint?: string) =>
          loginHint && people.has(loginHint) ? loginHint : undefined,
        processLoginHintToken: async () => undefined,
        validateBindingMessage: async (_ctx: KoaContextWithOIDC, m?: string) => checkBindingMessage(m),
        validateRequestContext: async () => undefined,
        verifyUserCode: async () => undefined,
        triggerAuthenticationDevice: async (ctx, request, account) => {
          const params = request.params as Record<string, string | undefined>;
          const channel = params.channel ?? null;
          if (channel !== null && channel !== 'MOBILE' && channel !== 'CARD')
            throw new errors.InvalidRequest('channel must be CARD or MOBILE');
          const rec: PendingEcpsRequest = {
            authReqId: request.jti,
            nationalId: account.accountId,
            bindingMessage: params.binding_message ?? null,
            channel,
            scope: String(request.scope ?? ''),
            acrValues: params.acr_values ?? null,
            clientId: String(request.clientId),
            expiresAt: new Date(Date.now() + Number(request.expiration ?? 0) * 1000),
          };
          pending.set(rec.authReqId, rec);
          void ctx;
          // A MOBILE request for someone without e-CPS cannot reach any phone: refuse it straight away.
          if (channel === 'MOBILE' && people.get(account.accountId)?.ecps === false) {
            setImmediate(
              () =>
                void refuse(rec.authReqId, "Aucune e-CPS n'est activée pour ce professionnel.").catch(
                  () => undefined,
                ),
            );
          } else {
            bus.emit('pending', rec);
          }
        },
      },
    },
    ttl: {
      BackchannelAuthenticationRequest: () => o.requestTtlS ?? 120,
      AccessToken: 300,
      IdToken: 300,
      Grant: 300,
    },
    pkce: { required: () => false },
    renderError: async (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  };

  const provider = new Provider(issuer, config);
  const oidcHandler = provider.callback();
  server.on('request', (req, res) => {
    // PSC publishes its discovery document under a non-standard name: serve it there too.
    if (req.url === '/.well-known/wallet-openid-configuration') req.url = '/.well-known/openid-configuration';
    if (!req.url?.startsWith(PHONE_PATH)) return void oidcHandler(req, res);
    servePhone(req, res, { issuer, list, approve, refuse, people }).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  async function find(authReqId: string) {
    // Only a request still waiting for the phone can be answered, and only once.
    if (!pending.has(authReqId)) throw new Error(`no pending e-CPS request ${authReqId}`);
    const request = await provider.BackchannelAuthenticationRequest.find(authReqId, {
      ignoreExpiration: true,
    });
    if (!request) throw new Error(`no pending e-CPS request ${authReqId}`);
    pending.delete(authReqId);
    return request;
  }

  async function approve(authReqId: string) {
    const request = await find(authReqId);
    const grant = new provider.Grant({
      clientId: request.clientId as string,
      accountId: request.accountId as string,
    });
    grant.addOIDCScope(String(request.scope));
    grant.addOIDCClaims([
      'SubjectNameID',
      'SubjectRefPro',
      'preferred_username',
      'given_name',
      'family_name',
    ]);
    await grant.save();
    await provider.backchannelResult(request, grant, {
      acr: 'eidas1',
      amr: ['mfa', 'otp'],
      authTime: Math.floor(Date.now() / 1000),
    });
  }

  async function refuse(authReqId: string, description = 'La demande a été refusée sur le téléphone.') {
    const request = await find(authReqId);
    // backchannelResult() copies `error_description`, but the model saves `errorDescription`.
    (request as unknown as { errorDescription: string }).errorDescription = description;
    await provider.backchannelResult(request, new errors.AccessDenied(description));
  }

  const list = () => [...pending.values()].filter((r) => r.expiresAt.getTime() > Date.now());

  return {
    issuer,
    clientId,
    clientSecret,
    phoneUrl: `${issuer}${PHONE_PATH}`,
    pending: list,
    waitForPending(match = () => true, timeoutMs = 10_000) {
      const now = [...pending.values()].find(match);
      if (now) return Promise.resolve(now);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          bus.off('pending', on);
          reject(new Error('no e-CPS request arrived'));
        }, timeoutMs);
        const on = (r: PendingEcpsRequest) => {
          if (!match(r)) return;
          clearTimeout(t);
          bus.off('pending', on);
          resolve(r);
        };
        bus.on('pending', on);
      });
    },
    approve,
    refuse,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
