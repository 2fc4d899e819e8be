import type {
  EcpsState,
  RememberState,
  SessionState,
  SignInOutcome,
} from '../../../domain/api/groups/session';
import type { CardState } from '../../../domain/card';
import { AppError, type Err } from '../../../domain/result';
import type { ClientErr } from '../backend-client';
import type { SignInResponse } from '../../../domain/backend-api';
import type { CoreContext } from '../context';

/** What the session service is built from: everything of the core's context but itself. */
export type SessionContext = Omit<CoreContext, 'session'>;
import type { KeychainStatus } from '../secrets/secret-store';
import type { TokenVault } from '../secrets/token-vault';
import { cardSignIn } from './card-signin';
import { EcpsFlow } from './ecps-signin';

/** The local limits mirror the backend's (ARCHITECTURE.md §2): 1 h without activity, 4 h in all. */
export const IDLE_MS = 60 * 60 * 1000;
export const ABSOLUTE_MS = 4 * 60 * 60 * 1000;
/** The backend session is kept alive at most this often while the person works. */
const KEEPALIVE_MS = 60 * 1000;

/** The session as this service keeps it; "remember me" is added when it is read (`current`). */
type OwnState = Omit<SessionState, 'remember'>;

const signedOut = (endedBecause: SessionState['endedBecause'] = null): OwnState => ({
  status: 'signed-out',
  user: null,
  endedBecause,
  idleExpiresAt: null,
  absoluteExpiresAt: null,
  passwordChangeRequired: false,
});

/** Backend answers that say nothing about the remembered token (the backend could not be asked): keep it. */
const NOT_A_VERDICT = new Set([
  'BACKEND_UNREACHABLE',
  'BACKEND_TLS_ERROR',
  'UNAVAILABLE',
  'INTERNAL',
  'RATE_LIMITED',
]);

/**
 * Who is signed in on this workstation. The token stays inside the backend client (never in this state, never in
 * the renderer). Locks the screen when the card used to sign in leaves the reader, after 1 h idle, and ends the
 * session at 4 h; signing in again (same person) unlocks.
 *
 * "Remember me": when the person asks for it and the OS keychain answers, the session token is kept in
 * the keychain (TokenVault; the settings file lists only the account id). At the next start of the core, the
 * remembered session is checked with the backend (GET /v1/session) and resumed if the backend still accepts it:
 * its 1 h idle and 4 h absolute limits still apply, so a remembered session never outlives them. A token the
 * backend refuses is forgotten silently and the sign-in screen shows. Sign-out, a lock (card pulled, idle: the
 * backend session is ended too), the end of the session (idle, 4 h, revoked) and a password change delete it from
 * the keychain. The vault holds at most the token of the session open now: every new sign-in forgets the others.
 *
 * Only password sign-ins may be remembered:
 * - a card session is guarded by the card itself: pulling it locks at once and ends the backend session, and
 *   unlocking is a new sign-in with the card and its PIN. A card session kept past a restart would be open without
 *   the card in the reader, and "resume it locked" has nothing to resume (a locked session has no backend session
 *   left). So card sign-ins are never remembered, and a remembered card session is never resumed.
 * - e-CPS is used by the same card holders, away from their card; it is not offered in this step (the same
 *   `remember` flag on `startEcps` would carry it through EcpsFlow to `opened`).
 *
 * Resuming happens once, when the core starts (`resumeRemembered`, called by ./core.ts). Nothing else calls it:
 * a reminder (scheduler wake, notification click) never signs anyone in.
 */
export class SessionService {
  private state: OwnState = signedOut();
  private idleTimer: NodeJS.Timeout | null = null;
  private absoluteTimer: NodeJS.Timeout | null = null;
  private lastKeepalive = 0;
  /** The card serial that opened the session (card sign-in), to lock when it is pulled. */
  private cardSerial: string | null = null;
  /** The account whose session token is in the keychain now (it is the open session's). */
  private rememberedId: string | null = null;
  /** The keychain as last asked (null: not yet). */
  private keychain: KeychainStatus | null = null;
  /** Keychain writes and deletions, one at a time and in order (a "forget" must not overtake a "remember"). */
  private vaultQueue: Promise<void> = Promise.resolve();
  /** Moves on each sign-in, lock and end: an async step that started before it does not apply its result. */
  private generation = 0;
  private resumeTried = false;

  private readonly ecps: EcpsFlow;

  constructor(private readonly ctx: SessionContext) {
    this.ecps = new EcpsFlow(ctx, this);
  }

  get current(): SessionState {
    return { ...this.state, remember: this.rememberState() };
  }

  private set(next: OwnState) {
    this.state = next;
    this.ctx.events.emit('session.state', this.current);
  }

  private rememberState(): RememberState {
    const k = this.keychain ?? this.ctx.workstation.keychain() ?? null;
    return {
      available: k?.available ?? false,
      reason: k && !k.available ? 'keychain-unavailable' : null,
      active: this.rememberedId !== null && this.state.status === 'signed-in',
    };
  }

  private tokens(): TokenVault | null {
    return this.ctx.workstation.tokens;
  }

  /** Runs a keychain step after the ones before it; a failure is logged (without secrets) and never thrown. */
  private vault(step: (t: TokenVault) => Promise<void>): Promise<void> {
    const t = this.tokens();
    if (!t) return Promise.resolve();
    const next = this.vaultQueue
      .then(() => step(t))
      .catch((e: unknown) =>
        this.ctx.log('warn', 'remember me: keychain step failed', {
          error: e instanceof Error ? e.name : 'unknown',
        }),
      );
    this.vaultQueue = next;
    return next;
  }

  /** Deletes every remembered session token (from the keychain, and the ids from the settings file). */
  private forgetRemembered(): Promise<void> {
    this.rememberedId = null;
    return this.vault(async (t) => {
      for (const id of t.rememberedAccounts()) await t.forget(id);
    });
  }

  /** Keeps the session just opened in the keychain; without a keychain, says so in the state and goes on. */
  private async keep(res: SignInResponse): Promise<void> {
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
    if (gen === this.generation) this.set(this.state);
  }

  private client() {
    return this.ctx.backend.client();
  }

  /** Turns the backend's answer to a sign-in into a session, or into "blocked, and here is the way out". */
  opened(
    res: SignInResponse,
    method: NonNullable<SessionState['user']>['method'],
    cardSerial: string | null = null,
  ): SignInOutcome {
    const now = this.ctx.now().getTime();
    // A new session: the token of any earlier one leaves the keychain (the vault keeps the open session's only).
    this.generation++;
    void this.forgetRemembered();
    this.cardSerial = cardSerial;
    this.begin(
      res.account,
      method,
      Math.min(new Date(res.absoluteExpiresAt).getTime(), now + ABSOLUTE_MS),
      res.passwordChangeRequired,
    );
    return { status: 'signed-in', session: this.current };
  }

  private begin(
    account: SignInResponse['account'],
    method: NonNullable<SessionState['user']>['method'],
    absolute: number,
    passwordChangeRequired: boolean,
  ) {
    const now = this.ctx.now().getTime();
    this.set({
      status: 'signed-in',
      user: {
        accountId: account.id,
        displayName: account.displayName,
        kind: account.kind,
        pharmacyName: account.pharmacy.name,
        method,
      },
      endedBecause: null,
      idleExpiresAt: new Date(now + IDLE_MS).toISOString(),
      absoluteExpiresAt: new Date(absolute).toISOString(),
      passwordChangeRequired,
    });
    this.armTimers(absolute);
    this.lastKeepalive = now;
    void this.ctx.workstation.reminders.follow(account.id).catch(() => undefined);
  }

  /**
   * At the start of the core only: resumes the session kept by "remember me" if the backend still accepts its
   * token. Waits at most `waitMs` (the start must not hang on a slow backend); the check goes on after that.
   */
  async resumeRemembered(opts: { waitMs?: number } = {}): Promise<void> {
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
    const t = this.tokens();
    const client = this.ctx.backend.clientIfReady();
    if (!t || !client) return;
    const keychain = await t.keychain();
    const changed = this.keychain?.available !== keychain.available;
    this.keychain = keychain;
    if (changed) this.set(this.state); // the sign-in screen learns whether it may offer "remember me"
    const gen = this.generation;
    const ids = t.rememberedAccounts();
    const id = ids.at(-1);
    if (!id || !keychain.available) return;
    // The vault keeps one session (the last one opened here); older ids are leftovers.
    for (const other of ids.slice(0, -1)) await this.vault((v) => v.forget(other));
    const token = await t.recall(id);
    if (gen !== this.generation || this.state.status !== 'signed-out') return; // someone signed in meanwhile
    if (!token) {
      await this.vault((v) => v.forget(id));
      return;
    }
    client.useToken(token);
    const r = await client.call('currentSession');
    if (gen !== this.generation) return; // a sign-in replaced the token and forgot this one
    if (r.ok && r.value.account.id === id && r.value.session.method === 'password') {
      const created = new Date(r.value.session.createdAt).getTime();
      this.rememberedId = id;
      this.begin(
        r.value.account,
        'password',
        created + ABSOLUTE_MS,
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

  /** A refusal that is not an error for the person: a blocked account, with its ways out. */
  static blockedOutcome(e: ClientErr, identifier: string | null): SignInOutcome | null {
    if (
      (e.code === 'ACCOUNT_BLOCKED_INACTIVITY' || e.code === 'ACCOUNT_BLOCKED_SUSPICIOUS') &&
      e.body?.blocked
    ) {
      return {
        status: 'blocked',
        reason: e.body.blocked.reason,
        explanation: e.body.blocked.explanation,
        unblockPaths: e.body.blocked.unblockPaths,
        identifier,
      };
    }
    return null;
  }

  /** With `remember`, the session is kept in the keychain when there is one; without, the sign-in works the same. */
  async signInWithPassword(identifier: string, password: string, remember = false): Promise<SignInOutcome> {
    const r = await this.client().call('signInPassword', { body: { identifier, password } });
    if (r.ok) {
      const outcome = this.opened(r.value, 'password');
      if (!remember) return outcome;
      await this.keep(r.value);
      return { status: 'signed-in', session: this.current };
    }
    const blocked = SessionService.blockedOutcome(r, identifier);
    if (blocked) return blocked;
    throw toAppError(r);
  }

  async signOut(): Promise<SessionState> {
    const c = this.ctx.backend.clientIfReady();
    if (c?.signedIn) await c.call('signOut').catch(() => undefined);
    this.end('sign-out');
    await this.keychainSettled();
    return this.current;
  }

  /** Someone is at the screen: the idle lock moves away (the backend's idle clock too, at most once a minute). */
  async touch(): Promise<{ idleExpiresAt: string | null }> {
    if (this.state.status !== 'signed-in') return { idleExpiresAt: null };
    const now = this.ctx.now().getTime();
    this.state = { ...this.state, idleExpiresAt: new Date(now + IDLE_MS).toISOString() };
    this.armIdle();
    if (now - this.lastKeepalive > KEEPALIVE_MS) {
      this.lastKeepalive = now;
      const r = await this.client().call('currentSession');
      if (
        !r.ok &&
        ['SESSION_IDLE', 'SESSION_EXPIRED', 'SESSION_REVOKED', 'WORKSTATION_REVOKED'].includes(r.code)
      ) {
        this.end(r.code === 'SESSION_IDLE' ? 'idle' : r.code === 'SESSION_EXPIRED' ? 'absolute' : 'revoked');
      }
    }
    return { idleExpiresAt: this.state.idleExpiresAt };
  }

  async changePassword(currentPassword: string, newPassword: string): Promise<SessionState> {
    const r = await this.client().call('changePassword', { body: { currentPassword, newPassword } });
    if (!r.ok) throw toAppError(r);
    // The backend ended the other sessions; a session kept across restarts does not outlive a password change.
    await this.forgetRemembered();
    this.set({ ...this.state, passwordChangeRequired: false });
    return this.current;
  }

  /**
   * Card sign-in: the backend's single-use challenge, signed by the card after VERIFY (the PIN goes no further
   * than the card process), checked by the backend (chain, dates, revocation), which opens the session.
   */
  async signInWithCard(pin: string): Promise<SignInOutcome> {
    return cardSignIn(this.ctx, this, pin);
  }

  /** e-CPS sign-in (Pro Santé Connect back-channel): wired with the backend's e-CPS routes. */
  async startEcps(nationalId: string): Promise<EcpsState> {
    return this.ecps.start(nationalId);
  }

  async cancelEcps(): Promise<EcpsState> {
    return this.ecps.cancel();
  }

  /** Any call that learns the backend session is gone ends it here too. */
  noticeError(e: Err): void {
    if (this.state.status === 'signed-out') return;
    if (e.code === 'SESSION_REVOKED' || e.code === 'WORKSTATION_REVOKED') this.end('revoked');
    else if (e.code === 'SESSION_EXPIRED') this.end('absolute');
    else if (e.code === 'SESSION_IDLE') this.lock('idle');
  }

  /** Card removal locks at once when the session was opened with that card. */
  onCardState(card: CardState): void {
    if (this.state.status !== 'signed-in' || this.state.user?.method !== 'card') return;
    // Without a serial (the card gave none), the card in the active reader stands for it.
    const still =
      this.cardSerial === null
        ? card.status === 'present' || card.status === 'busy'
        : card.readers.some((r) => r.card?.serial === this.cardSerial);
    if (!still) this.lock('card-removed');
  }

  lock(reason: 'card-removed' | 'idle'): void {
    if (this.state.status !== 'signed-in') return;
    // The backend session is ended too: unlocking is a new sign-in (card + PIN, or password).
    const c = this.ctx.backend.clientIfReady();
    if (c?.signedIn) void c.call('signOut').catch(() => undefined);
    this.clearTimers();
    this.generation++;
    void this.forgetRemembered(); // its backend session is over: nothing left to resume
    this.set({ ...this.state, status: 'locked', endedBecause: reason, idleExpiresAt: null });
  }

  /** The session is over; its token, if kept, is deleted from the keychain (`keychainSettled` waits for it). */
  end(reason: NonNullable<SessionState['endedBecause']>): void {
    this.clearTimers();
    this.ctx.backend.clientIfReady()?.forget();
    this.cardSerial = null;
    this.generation++;
    void this.forgetRemembered();
    this.set(signedOut(reason));
  }

  /** Resolves once the keychain steps asked so far are done. */
  keychainSettled(): Promise<void> {
    return this.vaultQueue;
  }

  private armTimers(absoluteAt: number) {
    this.clearTimers();
    this.armIdle();
    this.absoluteTimer = setTimeout(
      () => this.end('absolute'),
      Math.max(0, absoluteAt - this.ctx.now().getTime()),
    );
    this.absoluteTimer.unref?.();
  }

  private armIdle() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.lock('idle'), IDLE_MS);
    this.idleTimer.unref?.();
  }

  private clearTimers() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.absoluteTimer) clearTimeout(this.absoluteTimer);
    this.idleTimer = this.absoluteTimer = null;
  }

  stop() {
    this.clearTimers();
    this.ecps.stop();
  }
}

/** A backend refusal as an error the renderer maps to words (the message stays French and plain). */
export function toAppError(e: Err): AppError {
  return new AppError(e.code, e.message, e.retryable ?? false);
}
