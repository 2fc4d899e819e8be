/**
 * Runs the background jobs on timers. Every job is safe to run on each backend instance sharing one
 * PostgreSQL (row locks with SKIP LOCKED, see each job). With PGlite there is one instance by construction.
 * Tests call `runAll()` / `run(name)` directly after moving the clock.
 */
import type { Ctx } from '../context';
import { purgeEvents } from '../events/purge';
import { purgeEcpsTransactions } from '../auth/ecps/signin';
import type { MailTransport } from '../mail/transport';
import { addParisMonths } from '../../domain/policy';
import { runInactivitySweep } from './sweep';
import { runReminders } from './reminders';
import { runMailSender } from './mail-sender';
import { runDelegationEnds } from './delegation-ends';

/** The security log is kept for operators' investigations, then forgotten. */
const SECURITY_LOG_DAYS = 90;

export type JobName = 'inactivity' | 'reminders' | 'delegation-ends' | 'mail' | 'retention';

export interface JobIntervals {
  inactivity: number;
  reminders: number;
  'delegation-ends': number;
  mail: number;
  retention: number;
}

export const DEFAULT_INTERVALS: JobIntervals = {
  inactivity: 60_000,
  reminders: 60_000,
  'delegation-ends': 60_000,
  mail: 5_000,
  retention: 6 * 3600_000,
};

export class Jobs {
  private timers: NodeJS.Timeout[] = [];
  private running = new Map<JobName, Promise<number>>();
  private next = new Map<JobName, Promise<number>>();
  private stopped = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly transport: MailTransport | null,
  ) {}

  /**
   * Runs one job now, never two runs of it at once here. A run already under way may have begun before what the
   * caller needs seen (a clock just moved, rows just written): the call waits for it, then runs once more; callers
   * arriving meanwhile share that next run.
   */
  run(name: JobName): Promise<number> {
    const current = this.running.get(name);
    if (!current) return this.launch(name);
    let next = this.next.get(name);
    if (!next) {
      next = current
        .catch(() => 0)
        .then(() => {
          this.next.delete(name);
          return this.launch(name);
        });
      this.next.set(name, next);
    }
    return next;
  }

  private launch(name: JobName): Promise<number> {
    const p = this.exec(name).finally(() => this.running.delete(name));
    this.running.set(name, p);
    return p;
  }

  private exec(name: JobName): Promise<number> {
    switch (name) {
      case 'inactivity':
        return runInactivitySweep(this.ctx);
      case 'reminders':
        return runReminders(this.ctx);
      case 'delegation-ends':
        return runDelegationEnds(this.ctx);
      case 'mail':
        return runMailSender(this.ctx, this.transport);
      case 'retention':
        return this.retention();
    }
  }

  /**
   * Events older than the retention (the chain keeps an anchor), and the housekeeping of rows that have
   * served: sessions ended for 30 days, mails sent before the retention, throttle counters a day old, e-CPS
   * transactions two hours old, expired challenges and postal request handles, the security log after 90 days.
   * Returns the number of events purged.
   */
  private async retention(): Promise<number> {
    const now = this.ctx.clock.now();
    const cutoff = addParisMonths(now, -this.ctx.config.eventRetentionMonths);
    const purged = await purgeEvents(this.ctx.db, cutoff, now);
    const db = this.ctx.db;
    await db
      .deleteFrom('sessions')
      .where('created_at', '<', new Date(now.getTime() - 30 * 86_400_000))
      .execute();
    await db.deleteFrom('outbox').where('sent_at', '<', cutoff).execute();
    await db
      .deleteFrom('login_throttle')
      .where('last_failure_at', '<', new Date(now.getTime() - 86_400_000))
      .execute();
    await purgeEcpsTransactions(this.ctx);
    await db
      .deleteFrom('workstation_challenges')
      .where('expires_at', '<', new Date(now.getTime() - 3600_000))
      .execute();
    await db
      .deleteFrom('card_challenges')
      .where('expires_at', '<', new Date(now.getTime() - 3600_000))
      .execute();
    await db.deleteFrom('postal_requests').where('expires_at', '<', now).execute();
    await db
      .deleteFrom('security_log')
      .where('at', '<', new Date(now.getTime() - SECURITY_LOG_DAYS * 86_400_000))
      .execute();
    return purged;
  }

  /** Sweep, then reminders, then mail: what a timer tick would do, in order. */
  async runAll(): Promise<Record<JobName, number>> {
    const inactivity = await this.run('inactivity');
    const reminders = await this.run('reminders');
    const delegationEnds = await this.run('delegation-ends');
    const retention = await this.run('retention');
    const mail = await this.run('mail');
    return { inactivity, reminders, 'delegation-ends': delegationEnds, mail, retention };
  }

  start(intervals: Partial<JobIntervals> = {}): void {
    const every = { ...DEFAULT_INTERVALS, ...intervals };
    for (const name of Object.keys(every) as JobName[]) {
      const tick = () => {
        if (this.stopped) return;
        this.run(name).catch((e: unknown) => this.ctx.log.error({ job: name, err: e }, 'job failed'));
      };
      const t = setInterval(tick, every[name]);
      t.unref();
      this.timers.push(t);
      setImmediate(tick);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.allSettled([...this.running.values()]);
  }
}
