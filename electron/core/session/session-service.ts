import type { EcpsState, SessionState, SignInOutcome } from '../../../domain/api/groups/session';
import type { CardState } from '../../../domain/card';
import { AppError, type Err } from '../../../domain/result';
import type { ClientErr } from '../backend-client';
import type { SignInResponse } from '../../../domain/backend-api';
import type { CoreContext } from '../context';
import { cardSignIn } from './card-signin';
import { EcpsFlow } from './ecps-signin';

/** The local limits mirror the backend's (ARCHITECTURE.md §2): 1 h without activity, 4 h in all. */
export const IDLE_MS = 60 * 60 * 1000;
export const ABSOLUTE_MS = 4 * 60 * 60 * 1000;
/** The backend session is kept alive at most this often while the person works. */
const KEEPALIVE_MS = 60 * 1000;

const signedOut = (endedBecause: SessionState['endedBecause'] = null): SessionState => ({
  status: 'signed-out',
  user: null,
  endedBecause,
  idleExpiresAt: null,
  absoluteExpiresAt: null,
  passwordChangeRequired: false,
});

/**
 * Who is signed in on this workstation. The token stays inside the backend client (never in this state, never in
 * the renderer). Locks the screen when the card used to sign in leaves the reader, after 1 h idle, and ends the
 * session at 4 h; signing in again (same person) unlocks.
 */
export class SessionService {
  private state: SessionState = signedOut();
  private idleTimer: NodeJS.Timeout | null = null;
  private absoluteTimer: NodeJS.Timeout | null = null;
  private lastKeepalive = 0;
  /** The card serial that opened the session (card sign-in), to lock when it is pulled. */
  private cardSerial: string | null = null;

  private readonly ecps: EcpsFlow;

  constructor(private readonly ctx: CoreContext) {
    this.ecps = new EcpsFlow(ctx, this);
  }

  get current(): SessionState {
    return this.state;
  }

  private set(next: SessionState) {
    this.state = next;
    this.ctx.events.emit('session.state', next);
  }

  private client() {
    const c = this.ctx.backendClient?.();
    if (!c) throw new AppError('BACKEND_UNREACHABLE', 'Le serveur Vigie n’est pas encore prêt.', true);
    return c;
  }

  /** Turns the backend's answer to a sign-in into a session, or into "blocked, and here is the way out". */
  opened(res: SignInResponse, method: NonNullable<SessionState['user']>['method'], cardSerial: string | null = null): SignInOutcome {
    const now = this.ctx.now().getTime();
    const absolute = Math.min(new Date(res.absoluteExpiresAt).getTime(), now + ABSOLUTE_MS);
    this.cardSerial = cardSerial;
    this.set({
      status: 'signed-in',
      user: {
        accountId: res.account.id,
        displayName: res.account.displayName,
        kind: res.account.kind,
        pharmacyName: res.account.pharmacy.name,
        method,
      },
      endedBecause: null,
      idleExpiresAt: new Date(now + IDLE_MS).toISOString(),
      absoluteExpiresAt: new Date(absolute).toISOString(),
      passwordChangeRequired: res.passwordChangeRequired,
    });
    this.armTimers(absolute);
    this.lastKeepalive = now;
    void this.ctx.workstation?.reminders.follow(res.account.id).catch(() => undefined);
    return { status: 'signed-in', session: this.state };
  }

  /** A refusal that is not an error for the person: a blocked account, with its ways out. */
  static blockedOutcome(e: ClientErr, identifier: string | null): SignInOutcome | null {
    if ((e.code === 'ACCOUNT_BLOCKED_INACTIVITY' || e.code === 'ACCOUNT_BLOCKED_SUSPICIOUS') && e.body?.blocked) {
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

  async signInWithPassword(identifier: string, password: string): Promise<SignInOutcome> {
    const r = await this.client().call('signInPassword', { body: { identifier, password } });
    if (r.ok) return this.opened(r.value, 'password');
    const blocked = SessionService.blockedOutcome(r, identifier);
    if (blocked) return blocked;
    throw toAppError(r);
  }

  async signOut(): Promise<SessionState> {
    const c = this.ctx.backendClient?.();
    if (c?.signedIn) await c.call('signOut').catch(() => undefined);
    this.end('sign-out');
    return this.state;
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
      if (!r.ok && ['SESSION_IDLE', 'SESSION_EXPIRED', 'SESSION_REVOKED', 'WORKSTATION_REVOKED'].includes(r.code)) {
        this.end(r.code === 'SESSION_IDLE' ? 'idle' : r.code === 'SESSION_EXPIRED' ? 'absolute' : 'revoked');
      }
    }
    return { idleExpiresAt: this.state.idleExpiresAt };
  }

  async changePassword(currentPassword: string, newPassword: string): Promise<SessionState> {
    const r = await this.client().call('changePassword', { body: { currentPassword, newPassword } });
    if (!r.ok) throw toAppError(r);
    this.set({ ...this.state, passwordChangeRequired: false });
    return this.state;
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
    const reader = card.readers.find((r) => r.card?.serial === this.cardSerial);
    if (!reader) this.lock('card-removed');
  }

  lock(reason: 'card-removed' | 'idle'): void {
    if (this.state.status !== 'signed-in') return;
    // The backend session is ended too: unlocking is a new sign-in (card + PIN, or password).
    const c = this.ctx.backendClient?.();
    if (c?.signedIn) void c.call('signOut').catch(() => undefined);
    this.clearTimers();
    this.set({ ...this.state, status: 'locked', endedBecause: reason, idleExpiresAt: null });
  }

  end(reason: NonNullable<SessionState['endedBecause']>): void {
    this.clearTimers();
    this.ctx.backendClient?.()?.forget();
    this.cardSerial = null;
    this.set(signedOut(reason));
  }

  private armTimers(absoluteAt: number) {
    this.clearTimers();
    this.armIdle();
    this.absoluteTimer = setTimeout(() => this.end('absolute'), Math.max(0, absoluteAt - this.ctx.now().getTime()));
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
