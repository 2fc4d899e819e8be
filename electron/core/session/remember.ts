import type { RememberState, SessionState } from '../../../domain/api/groups/session';
import type { SignInResponse } from '../../../domain/backend-api';
import type { CoreContext } from '../context';
import type { KeychainStatus } from '../secrets/secret-store';
import type { TokenVault } from '../secrets/token-vault';

/** Backend answers that say nothing about the remembered token (the backend could not be asked): keep it. */
const NOT_A_VERDICT = new Set([
  'BACKEND_UNREACHABLE',
  'BACKEND_TLS_ERROR',
  'UNAVAILABLE',
  'INTERNAL',
  'RATE_LIMITED',
]);

/** What "remember me" needs from the session service: whether someone is signed in, and a way to resume. */
export interface RememberHost {
  status(): SessionState['status'];
  /** Opens the remembered session again (password sign-in), within the 4 h limit counted from its creation. */
  resume(account: SignInResponse['account'], createdAt: number, passwordChangeRequired: boolean): void;
  /** The remember state changed: the session state is sent again. */
  changed(): void;
}

/**
 * "Remember me" (./README.md): the token of the open password session kept in the OS keychain, and resumed at the
 * next start of the core if the backend still accepts it. Keychain steps run one at a time and in order; a
 * generation that moves on each sign-in, lock and end keeps a step started before it from applying its result.
 */
export class RememberMe {
  /** The account whose session token is in the keychain now (it is the open session's). */
  private rememberedId: string | null = null;
  /** The keychain as last asked (null: not yet). */
  private keychain: KeychainStatus | null = null;
  /** Keychain writes and deletions, one at a time and in order (a "forget" must not overtake a "remember"). */
  private queue: Promise<void> = Promise.resolve();
  /** Moves on each sign-in, lock and end: an async step that started before it does not apply its result. */
  private generation = 0;
  private resumeTried = false;

  constructor(
    private readonly ctx: Omit<CoreContext, 'session'>,
    private readonly host: RememberHost,
  ) {}

  state(): RememberState {
    const k = this.keychain ?? this.ctx.workstation.keychain() ?? null;
    return {
      available: k?.available ?? false,
      reason: k && !k.available ? 'keychain-unavailable' : null,
      active: this.rememberedId !== null && this.host.status() === 'signed-in',
    };
  }

  /** A sign-in, a lock or an end: steps started before do not apply, and the kept token is deleted. */
  reset(): void {
    this.generation++;
    void this.forget();
  }

  /** Deletes every remembered session token (from the keychain, and the ids from the settings file). */
  forget(): Promise<void> {
    this.rememberedId = null;
    return this.vault(async (t) => {
      for (const id of t.rememberedAccounts()) await t.forget(id);
    });
  }

  /** Resolves once the keychain steps asked so far are done. */
  settled(): Promise<void> {
    return this.queue;
  }

  /** Keeps the session just opened in the keychain; without a keychain, says so in the state and goes on. */
  async keep(res: SignInResponse): Promise<void> {
    // A session that may only change an expired password is not kept: the change would forget it anyway.
    if (res.passwordChangeRequired) return;
    const gen = this.generation;
    await this.vault(async (t) => {
      const r = await t.remember(res.account.id, res.token);
      if (!r.remembered) {
        this.keychain = { available: false, reason: r.reason };
        return;
      }
      this.keychain = { available: true };
      // Signed out (or another sign-in) while the keychain was written: that session is not to be kept.
      if (gen !== this.generation) await t.forget(res.account.id);
      else this.rememberedId = res.account.id;
    });
    if (gen === this.generation) this.host.changed();
  }

  /**
   * At the start of the core only: resumes the session kept by "remember me" if the backend still accepts its
   * token. Waits at most `waitMs` (the start must not hang on a slow backend); the check goes on after that.
   */
  async resume(opts: { waitMs?: number } = {}): Promise<void> {
    if (this.resumeTried) return;
    this.resumeTried = true;
    const work = this.tryResume().catch((e: unknown) =>
      this.ctx.log('warn', 'remembered session could not be checked', {
        error: e instanceof Error ? e.name : 'unknown',
      }),
    );
    if (opts.waitMs === undefined) return work;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([work, new Promise<void>((r) => (timer = setTimeout(r, opts.waitMs)))]);
    clearTimeout(timer);
  }

  private async tryResume(): Promise<void> {
    const t = this.ctx.workstation.tokens;
    const client = this.ctx.backend.clientIfReady();
    if (!t || !client) return;
    const keychain = await t.keychain();
    const changed = this.keychain?.available !== keychain.available;
    this.keychain = keychain;
    if (changed) this.host.changed(); // the sign-in screen learns whether it may offer "remember me"
    const gen = this.generation;
    const ids = t.rememberedAccounts();
    const id = ids.at(-1);
    if (!id || !keychain.available) return;
    // The vault keeps one session (the last one opened here); older ids are leftovers.
    for (const other of ids.slice(0, -1)) await this.vault((v) => v.forget(other));
    const token = await t.recall(id);
    if (gen !== this.generation || this.host.status() !== 'signed-out') return; // someone signed in meanwhile
    if (!token) {
      await this.vault((v) => v.forget(id));
      return;
    }
    client.useToken(token);
    const r = await client.call('currentSession');
    if (gen !== this.generation) return; // a sign-in replaced the token and forgot this one
    if (r.ok && r.value.account.id === id && r.value.session.method === 'password') {
      this.rememberedId = id;
      this.host.resume(
        r.value.account,
        new Date(r.value.session.createdAt).getTime(),
        r.value.session.scope === 'password_change',
      );
      this.ctx.log('info', 'remembered session resumed', { method: 'password' });
      return;
    }
    if (!r.ok && NOT_A_VERDICT.has(r.code)) {
      // The backend could not say: the token stays for the next start (the backend's own limits still apply),
      // and a sign-in meanwhile forgets it.
      client.forget();
      this.ctx.log('info', 'remembered session not checked: backend unavailable', { code: r.code });
      return;
    }
    // Refused (unknown, idle, 4 h, revoked, another workstation), or not a session to resume: forgotten silently.
    if (r.ok) await client.call('signOut').catch(() => undefined);
    client.forget();
    this.ctx.log('info', 'remembered session refused: forgotten', { code: r.ok ? 'NOT_RESUMABLE' : r.code });
    await this.vault((v) => v.forget(id));
  }

  /** Runs a keychain step after the ones before it; a failure is logged (without secrets) and never thrown. */
  private vault(step: (t: TokenVault) => Promise<void>): Promise<void> {
    const t = this.ctx.workstation.tokens;
    if (!t) return Promise.resolve();
    const next = this.queue
      .then(() => step(t))
      .catch((e: unknown) =>
        this.ctx.log('warn', 'remember me: keychain step failed', {
          error: e instanceof Error ? e.name : 'unknown',
        }),
      );
    this.queue = next;
    return next;
  }
}
