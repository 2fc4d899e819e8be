/** The local limits mirror the backend's (ARCHITECTURE.md §2): 1 h without activity, 4 h in all. */
export const IDLE_MS = 60 * 60 * 1000;
export const ABSOLUTE_MS = 4 * 60 * 60 * 1000;

/** The session's two clocks: the idle lock (moved by activity) and the absolute end. */
export class SessionTimers {
  private idleTimer: NodeJS.Timeout | null = null;
  private absoluteTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly now: () => Date,
    private readonly on: { idle(): void; absolute(): void },
  ) {}

  arm(absoluteAt: number) {
    this.clear();
    this.rearmIdle();
    this.absoluteTimer = setTimeout(() => this.on.absolute(), Math.max(0, absoluteAt - this.now().getTime()));
    this.absoluteTimer.unref?.();
  }

  rearmIdle() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.on.idle(), IDLE_MS);
    this.idleTimer.unref?.();
  }

  clear() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.absoluteTimer) clearTimeout(this.absoluteTimer);
    this.idleTimer = this.absoluteTimer = null;
  }
}
