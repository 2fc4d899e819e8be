import type { EcpsState, SessionState, SignInOutcome } from '../../../domain/api/groups/session';
import type { CardState } from '../../../domain/card';
import { AppError, type Err } from '../../../domain/result';
import type { ClientErr } from '../backend-client';
import type { FactorGrace, SignInResponse } from '../../../domain/backend-api';
import type { CoreContext } from '../context';
import { cardSignIn } from './card-signin';
import { EcpsFlow } from './ecps-signin';
import { FactorFlow } from './second-factor';
import { RememberMe } from './remember';
import { ABSOLUTE_MS, IDLE_MS, SessionTimers } from './timers';

import { sessionVerdict } from './verdicts';

const DAY_MS = 24 * 3600_000;

export { ABSOLUTE_MS, IDLE_MS } from './timers';

/** What the session service is built from: everything of the core's context but itself. */
export type SessionContext = Omit<CoreContext, 'session'>;

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
  factorGrace: null,
});

/**
 * Who is signed in on this workstation: the session's states (signed out, signed in, locked) and the moves between
 * them. The rules (what locks, what ends, "remember me") are in ./README.md.
 */
export class SessionService {
  private state: OwnState = signedOut();
  private lastKeepalive = 0;
  /** The card serial that opened the session (card sign-in), to lock when it is pulled. */
  private cardSerial: string | null = null;

  private readonly ecps: EcpsFlow;
  private readonly timers: SessionTimers;
  private readonly remember: RememberMe;
  /** The second step of a password sign-in and enrolment (./second-factor.ts). */
  readonly factors: FactorFlow;

  constructor(private readonly ctx: SessionContext) {
    this.factors = new FactorFlow({
      client: () => this.client(),
      open: (res, remember) => this.openPassword(res, remember),
      enrolledInSession: () => {
        this.set({ ...this.state, factorGrace: null });
        return this.current;
      },
    });
    this.ecps = new EcpsFlow(ctx, this);
    this.timers = new SessionTimers(ctx.now, {
      idle: () => this.lock('idle'),
      absolute: () => this.end('absolute'),
    });
    this.remember = new RememberMe(ctx, {
      status: () => this.state.status,
      resume: (account, createdAt, passwordChangeRequired) =>
        this.begin(account, 'password', createdAt + ABSOLUTE_MS, passwordChangeRequired),
      changed: () => this.set(this.state),
    });
  }

  get current(): SessionState {
    return { ...this.state, remember: this.remember.state() };
  }

  private set(next: OwnState) {
    this.state = next;
    this.ctx.events.emit('session.state', this.current);
  }

  private client() {
    return this.ctx.backend.client();
  }

  /** Turns the backend's answer to a sign-in into a session, or into "blocked, and here is the way out". */
  opened(
    res: SignInResponse & { factorGrace?: FactorGrace },
    method: NonNullable<SessionState['user']>['method'],
    cardSerial: string | null = null,
  ): SignInOutcome {
    const now = this.ctx.now().getTime();
    // A new session: the token of any earlier one leaves the keychain (the vault keeps the open session's only).
    this.remember.reset();
    this.cardSerial = cardSerial;
    this.begin(
      res.account,
      method,
      Math.min(new Date(res.absoluteExpiresAt).getTime(), now + ABSOLUTE_MS),
      res.passwordChangeRequired,
      res.factorGrace ?? null,
    );
    return { status: 'signed-in', session: this.current };
  }

  private begin(
    account: SignInResponse['account'],
    method: NonNullable<SessionState['user']>['method'],
    absolute: number,
    passwordChangeRequired: boolean,
    factorGrace: FactorGrace | null = null,
  ) {
    const now = this.ctx.now().getTime();
    const daysLeft = (g: FactorGrace) =>
      Math.max(0, Math.ceil((new Date(g.graceEndsAt).getTime() - now) / DAY_MS));
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
      factorGrace: factorGrace ? { ...factorGrace, daysLeft: daysLeft(factorGrace) } : null,
    });
    this.timers.arm(absolute);
    this.lastKeepalive = now;
    void this.ctx.workstation.reminders.follow(account.id).catch(() => undefined);
  }

  /** At the start of the core only (./core.ts): resumes the session kept by "remember me" (./remember.ts). */
  resumeRemembered(opts: { waitMs?: number } = {}): Promise<void> {
    return this.remember.resume(opts);
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
      const res = r.value;
      if ('secondStep' in res) return this.factors.begin(res.secondStep, remember);
      return this.openPassword(res, remember);
    }
    const blocked = SessionService.blockedOutcome(r, identifier);
    if (blocked) return blocked;
    throw toAppError(r);
  }

  /** A password session: opened, the grace it was opened under kept for the banner, and kept with « remember me ». */
  private async openPassword(
    res: SignInResponse & { factorGrace?: FactorGrace },
    remember: boolean,
  ): Promise<SignInOutcome> {
    this.opened(res, 'password');
    if (remember) await this.remember.keep(res);
    return { status: 'signed-in', session: this.current };
  }

  async signOut(): Promise<SessionState> {
    this.factors.clear();
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
    this.timers.rearmIdle();
    if (now - this.lastKeepalive > KEEPALIVE_MS) {
      this.lastKeepalive = now;
      const r = await this.client().call('currentSession');
      if (!r.ok) this.noticeError(r);
    }
    return { idleExpiresAt: this.state.idleExpiresAt };
  }

  async changePassword(currentPassword: string, newPassword: string): Promise<SessionState> {
    const r = await this.client().call('changePassword', { body: { currentPassword, newPassword } });
    if (!r.ok) throw toAppError(r);
    // The backend ended the other sessions; a session kept across restarts does not outlive a password change.
    await this.remember.forget();
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

  /** Any call that learns the backend session is gone ends it, or locks it, here too (./verdicts.ts). */
  noticeError(e: Err): void {
    if (this.state.status === 'signed-out') return;
    const verdict = sessionVerdict(e.code);
    if (verdict?.action === 'end') this.end(verdict.reason);
    else if (verdict?.action === 'lock') this.lock(verdict.reason);
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
    this.timers.clear();
    this.remember.reset(); // its backend session is over: nothing left to resume
    this.set({ ...this.state, status: 'locked', endedBecause: reason, idleExpiresAt: null });
  }

  /** The session is over; its token, if kept, is deleted from the keychain (`keychainSettled` waits for it). */
  end(reason: NonNullable<SessionState['endedBecause']>): void {
    this.timers.clear();
    this.ctx.backend.clientIfReady()?.forget();
    this.cardSerial = null;
    this.remember.reset();
    this.set(signedOut(reason));
  }

  /** Resolves once the keychain steps asked so far are done. */
  keychainSettled(): Promise<void> {
    return this.remember.settled();
  }

  stop() {
    this.timers.clear();
    this.ecps.stop();
  }
}

/** A backend refusal as an error the renderer maps to words (the message stays French and plain). */
export function toAppError(e: Err): AppError {
  return new AppError(e.code, e.message, e.retryable ?? false);
}
