/**
 * e-CPS sign-in on the workstation: the backend starts Pro Santé Connect's back-channel request; the core polls the
 * backend (never PSC: the client secret stays on the backend) and pushes `session.ecps` events to the renderer:
 * pending (with the binding message shown on the phone) → approved (the session opens) | refused | expired | cancelled.
 */
import type { EcpsState } from '../../../domain/api/groups/session';
import type { CoreBase } from '../context';
import { SessionService, toAppError } from './session-service';

export const ECPS_POLL_MS = 1000;

export class EcpsFlow {
  private current: {
    id: string;
    bindingMessage: string;
    expiresAt: string;
    timer: NodeJS.Timeout | null;
    done: boolean;
  } | null = null;
  private last: EcpsState = { status: 'idle', bindingMessage: null, expiresAt: null };

  constructor(
    private readonly ctx: CoreBase,
    private readonly session: SessionService,
    private readonly pollMs = ECPS_POLL_MS,
  ) {}

  get state(): EcpsState {
    return this.last;
  }

  private emit(s: EcpsState) {
    this.last = s;
    this.ctx.events.emit('session.ecps', s);
  }

  private client() {
    return this.ctx.backend.client();
  }

  async start(nationalId: string): Promise<EcpsState> {
    await this.cancel().catch(() => undefined);
    const r = await this.client().call('ecpsStart', { body: { nationalId } });
    if (!r.ok) throw toAppError(r);
    const tx = {
      id: r.value.transactionId,
      bindingMessage: r.value.bindingMessage,
      expiresAt: r.value.expiresAt,
      timer: null,
      done: false,
    };
    this.current = tx;
    const pending: EcpsState = {
      status: 'pending',
      bindingMessage: tx.bindingMessage,
      expiresAt: tx.expiresAt,
    };
    this.emit(pending);
    this.schedule(tx);
    return pending;
  }

  private schedule(tx: NonNullable<EcpsFlow['current']>) {
    tx.timer = setTimeout(() => void this.poll(tx), this.pollMs);
    tx.timer.unref?.();
  }

  private finish(tx: NonNullable<EcpsFlow['current']>, status: EcpsState['status']) {
    tx.done = true;
    if (tx.timer) clearTimeout(tx.timer);
    if (this.current === tx) this.current = null;
    this.emit({ status, bindingMessage: tx.bindingMessage, expiresAt: tx.expiresAt });
  }

  private async poll(tx: NonNullable<EcpsFlow['current']>) {
    if (tx.done) return;
    const r = await this.client()
      .call('ecpsPoll', { body: { transactionId: tx.id } })
      .catch(() => null);
    if (tx.done) return;
    if (r?.ok) {
      if (r.value.status === 'approved') {
        tx.done = true;
        this.session.opened(r.value.session, 'ecps');
        this.finish(tx, 'approved');
        return;
      }
      this.schedule(tx);
      return;
    }
    const code = r?.code;
    if (
      code === 'ECPS_REFUSED' ||
      code === 'ACCOUNT_BLOCKED_SUSPICIOUS' ||
      code === 'ACCOUNT_BLOCKED_INACTIVITY' ||
      code === 'CARD_HOLDER_UNKNOWN' ||
      code === 'FORBIDDEN'
    ) {
      this.ctx.log('info', 'e-CPS sign-in refused', { code });
      this.finish(tx, 'refused');
    } else if (code === 'ECPS_EXPIRED' || code === 'NOT_FOUND') this.finish(tx, 'expired');
    else if (code === 'CANCELLED') this.finish(tx, 'cancelled');
    else if (Date.now() > new Date(tx.expiresAt).getTime() + 5000) this.finish(tx, 'expired');
    else this.schedule(tx); // the backend did not answer: try again until the request's end
  }

  async cancel(): Promise<EcpsState> {
    const tx = this.current;
    if (!tx) return { status: 'cancelled', bindingMessage: null, expiresAt: null };
    this.finish(tx, 'cancelled');
    await this.ctx.backend
      .clientIfReady()
      ?.call('ecpsCancel', { body: { transactionId: tx.id } })
      .catch(() => undefined);
    return this.last;
  }

  stop() {
    if (this.current?.timer) clearTimeout(this.current.timer);
    if (this.current) this.current.done = true;
    this.current = null;
  }
}
