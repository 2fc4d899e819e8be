import type { BackendStatus } from '../../domain/api/groups/backend';

export interface BackendMonitorOptions {
  baseUrl: string;
  mode: BackendStatus['mode'];
  intervalMs?: number;
  timeoutMs?: number;
  onChange: (status: BackendStatus) => void;
  now?: () => Date;
}

/** Polls the backend's health endpoint and reports reachable / unreachable changes. */
export class BackendMonitor {
  private timer: NodeJS.Timeout | null = null;
  private status: BackendStatus;

  constructor(private readonly opts: BackendMonitorOptions) {
    this.status = {
      reachable: false,
      mode: opts.mode,
      address: displayAddress(opts.baseUrl),
      checkedAt: (opts.now?.() ?? new Date()).toISOString(),
      error: 'not checked yet',
    };
  }

  get current(): BackendStatus {
    return this.status;
  }

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.opts.intervalMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async check(): Promise<BackendStatus> {
    const t0 = performance.now();
    const checkedAt = (this.opts.now?.() ?? new Date()).toISOString();
    let next: BackendStatus;
    try {
      const res = await fetch(new URL('/health', this.opts.baseUrl), {
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 3000),
      });
      const body = (await res.json().catch(() => ({}))) as { version?: unknown; signIn?: unknown };
      const offers = body.signIn as { card?: unknown; ecps?: unknown } | undefined;
      next = {
        reachable: res.ok,
        mode: this.opts.mode,
        address: displayAddress(this.opts.baseUrl),
        checkedAt,
        latencyMs: Math.round(performance.now() - t0),
        ...(typeof body.version === 'string' ? { version: body.version } : {}),
        ...(typeof offers?.card === 'boolean' && typeof offers.ecps === 'boolean'
          ? { signIn: { card: offers.card, ecps: offers.ecps } }
          : {}),
        ...(res.ok ? {} : { error: `HTTP ${res.status}` }),
      };
    } catch (e) {
      next = {
        reachable: false,
        mode: this.opts.mode,
        address: displayAddress(this.opts.baseUrl),
        checkedAt,
        error: e instanceof Error ? e.name : 'error',
      };
    }
    const changed =
      next.reachable !== this.status.reachable ||
      next.version !== this.status.version ||
      next.signIn?.card !== this.status.signIn?.card ||
      next.signIn?.ecps !== this.status.signIn?.ecps;
    this.status = next;
    if (changed) this.opts.onChange(next);
    return next;
  }
}

function displayAddress(url: string): string {
  try {
    const u = new URL(url);
    return u.host;
  } catch {
    return url;
  }
}
