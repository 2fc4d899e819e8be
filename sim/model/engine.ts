/**
 * The simulation: a day loop on an injected clock over the world of ./build.ts, driving the real backend through
 * its HTTP API and its jobs, and each workstation's real reminder scheduler. Within a day, what happens is sorted
 * by time and run one after the other (a discrete-event simulation with days as the outer step).
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import type { Backend } from '../../backend/app';
import { addParisMonths } from '../../domain/policy';
import type { ReminderNotice } from '../../domain/reminders/planner';
import { Api, type WsRef } from '../http';
import { createAccount, createPharmacy, markLetterPrinted, readLetter, type PscSandbox } from '../internals';
import { MailSink, reminderDaysOf, SIGN_IN_SUBJECT } from '../mail-sink';
import type { SimCard, SimPki } from '../pki';
import { PARAMS } from '../population';
import { chance, int, streamFor, type Rng } from '../rng';
import { Calendar } from './calendar';
import { buildWorld, type World } from './build';
import { createSimPlanner, signedOut } from './planner';
import type { StatusLike } from '../../electron/core/reminders/scheduler';
import { attackerIp, attackerWs, drawCampaigns, fitKind, type Campaign } from './strangers';
import type {
  Account,
  BlockRecord,
  Delivery,
  Missed,
  Person,
  Pharmacy,
  UnblockPath,
  Workstation,
} from './types';

export class InvariantError extends Error {}

export interface SimClock {
  now(): Date;
}

export interface EngineOptions {
  seed: number;
  pharmacies: number;
  years: number;
  baseline: boolean;
  sink: MailSink;
  pki: SimPki;
  lettersDir: string;
  clock: { now(): Date; set(t: Date): void };
  cal: Calendar;
  onDay?: (d: number) => void;
  /**
   * A product variant (not today's Vigie): the workstation keeps the last known status of every account it follows,
   * even when the person signed in now cannot see it (an accountant's other pharmacies). Today the scheduler
   * replaces its list with what the current session sees.
   */
  keepFollowedStatuses?: boolean;
  /** The workstations' reminder offsets (settings.reminderDays); default the product's. */
  reminderDays?: number[];
}

export interface SentMail {
  days: number;
  sentAt: Date;
  readAt: Date | null;
  why: string;
}

export interface AttackRecord {
  kind: string;
  day: number;
  account: string;
  accountKind: string;
  blocked: boolean;
}

export interface LockoutRecord {
  account: string;
  at: Date;
  code: string;
  attack: string;
}

interface Action {
  t: number;
  n: number;
  run: () => Promise<void>;
}

const HOUR = 3600_000;
const DAY_MS = 86_400_000;

export class Engine {
  api!: Api;
  readonly world: World;
  readonly blocks: BlockRecord[] = [];
  readonly attacks: AttackRecord[] = [];
  readonly lockouts: LockoutRecord[] = [];
  /**
   * Accountants whom the end of their pharmacy's grace period met without a second factor: without their dedicated
   * mailbox to enrol one, these would be locked out. The model's accountants all read that mailbox and enrol.
   */
  readonly graceEnrolments = new Set<string>();
  /** The TOTP secret each accountant enrolled in her app, and the last time step she used. */
  private totp = new Map<string, { secret: string; lastStep: number }>();
  /** The last code mailed to each address (subject « Votre code Vigie : 123456 »). */
  private mailedCodes = new Map<string, string>();
  readonly mailsByAccount = new Map<string, number>();
  readonly mailsByKind = { signIn: 0, reminder: 0, blocked: 0, other: 0 };
  signIns = 0;
  signInsRefusedNoCard = 0;
  private byEmail = new Map<string, Account>();
  private byId = new Map<string, Account>();
  private reminderKeys = new Set<string>();
  private reads: { t: number; a: Account; mail: SentMail }[] = [];
  private sentThisCycle = new Map<Account, SentMail[]>();
  private signInsToday = new Map<Account, number>();
  private signInMailsToday = new Map<string, number>();
  /** The last `account_blocked` event seen (ids, not times: a block and a sign-in can share one instant). */
  private lastBlockEventId: number | string = 0;
  private rng: Rng;
  private campaigns: Campaign[];
  private nAction = 0;
  private today = 0;
  private usedAuthReq = new Set<string>();
  private readonly o: EngineOptions;

  constructor(o: EngineOptions) {
    this.o = o;
    this.rng = streamFor(o.seed, o.baseline ? 'engine-baseline' : 'engine');
    this.world = buildWorld({
      seed: o.seed,
      pharmacies: o.pharmacies,
      cal: o.cal,
      makeWs: (key, label, ip) => this.makeWs(key, label, ip),
    });
    this.campaigns = drawCampaigns(o.seed, this.world.accounts.length, o.cal.last + 1);
    for (const a of this.world.accounts) this.byEmail.set(a.email, a);
  }

  private backendRef: Backend | null = null;
  private pscRef: PscSandbox | null = null;
  /** The backend and the PSC sandbox (which needs the population's e-CPS users, hence after construction). */
  attach(backend: Backend, psc: PscSandbox | null) {
    this.backendRef = backend;
    this.pscRef = psc;
    this.api = new Api(backend);
  }
  private get b(): Backend {
    return this.backendRef!;
  }
  private get psc(): PscSandbox | null {
    return this.pscRef;
  }

  private get now() {
    return this.o.clock.now();
  }
  private setTime(t: number) {
    if (t > this.now.getTime()) this.o.clock.set(new Date(t));
  }

  private makeWs(key: string, label: string, ip: string): Workstation {
    const w: Workstation = {
      key,
      id: randomUUID(),
      label,
      ip,
      off: new Set(),
      replacedDay: null,
      planner: null as unknown as Workstation['planner'],
      session: null,
      present: new Set(),
    };
    w.planner = this.newPlanner(w);
    return w;
  }

  private newPlanner(w: Workstation) {
    const known = new Map<string, StatusLike>();
    return createSimPlanner({
      now: () => this.now,
      ...(this.o.reminderDays ? { offsets: this.o.reminderDays } : {}),
      fetchStatuses: async (followed) => {
        const s = w.session;
        if (!s || s.until < this.now.getTime()) throw signedOut();
        const r = await this.api.call('GET', '/v1/pharmacy/accounts', { ws: w, token: s.token, ip: w.ip });
        if (r.status !== 200) throw signedOut();
        s.until = this.now.getTime() + HOUR;
        const all = r.json.accounts as {
          accountId: string;
          displayName: string;
          state: 'active' | 'blocked';
          blockAt: string;
        }[];
        const fresh: StatusLike[] = all
          .filter(
            (a) =>
              s.account.kind === 'holder' || a.accountId === s.account.id || followed.includes(a.accountId),
          )
          .map((a) => ({
            accountId: a.accountId,
            displayName: a.displayName,
            state: a.state,
            blockAt: a.blockAt,
          }));
        if (!this.o.keepFollowedStatuses) return fresh;
        for (const x of fresh) known.set(x.accountId, x);
        const seen = new Set(fresh.map((x) => x.accountId));
        return [
          ...fresh,
          ...followed.filter((id) => !seen.has(id) && known.has(id)).map((id) => known.get(id)!),
        ];
      },
    });
  }

  // ---------------------------------------------------------------- the day loop

  async run(): Promise<void> {
    const { cal } = this.o;
    await this.setup();
    for (let d = cal.first; d <= cal.last; d++) {
      this.today = d;
      await this.day(d);
      this.o.onDay?.(d);
    }
    this.setTime(cal.at(cal.last + 1, 0).getTime());
    await this.jobs(cal.last + 1);
  }

  private async setup() {
    const { cal } = this.o;
    const backend = this.b;
    const t0 = cal.at(cal.first, 7);
    this.setTime(t0.getTime());
    for (const ph of this.world.pharmacies) {
      ph.id = await backend.db.transaction().execute(async (trx) => {
        const pid = await createPharmacy(
          trx,
          { finess: ph.finess, amNumber: ph.amNumber, name: ph.name, address: ph.address },
          this.now,
        );
        const holder = ph.holder.accounts[0]!;
        holder.id = await createAccount(
          trx,
          {
            pharmacyId: pid,
            kind: 'holder',
            displayName: holder.displayName,
            nationalId: ph.holder.nationalId,
            identifier: null,
            email: holder.email,
            postalAddress: ph.address,
            passwordHash: null,
            createdBy: null,
          },
          this.now,
          backend.ctx.config,
        );
        holder.live = true;
        this.byId.set(holder.id, holder);
        return pid;
      });
      // Everyone of the first day is granted at the holder's first sign-in.
      for (const a of this.world.accounts)
        if (a.pharmacy === ph && a.kind !== 'holder' && a.grantedDay <= cal.first) ph.toGrant.push(a);
    }
  }

  private async day(d: number) {
    const { cal } = this.o;
    const info = cal.info(d);
    // Replacements: a new install (new id, nothing followed, nothing remembered).
    for (const w of this.world.workstations) {
      if (w.replacedDay === d) {
        w.id = randomUUID();
        w.planner = this.newPlanner(w);
        w.session = null;
      }
      w.present.clear();
    }
    for (const ph of this.world.pharmacies)
      for (const s of ph.staff) {
        if (s.hiredDay === d && d > cal.first) ph.toGrant.push(s.accounts[0]!);
        if (s.leftDay === d && s.departure === 'revoke') ph.toRevoke.push(s.accounts[0]!);
      }

    this.setTime(cal.at(d, PARAMS.hours.jobs).getTime());
    await this.jobs(d);

    const actions: Action[] = [];
    const add = (t: number, run: () => Promise<void>) => actions.push({ t, n: this.nAction++, run });
    const r = this.rng;
    const week = Math.floor((d + 7000) / 7);

    // Who is where today.
    for (const ph of this.world.pharmacies) {
      const open = info.dow !== 0 && !info.christmas;
      const on = [...ph.counters, ph.backOffice].filter((w) => open && !w.off.has(d));
      const counters = on.filter((w) => w !== ph.backOffice);
      const frequent = [ph.holder, ...ph.staff].filter((p) => this.present(p, d));
      for (const p of frequent) {
        const w = counters.length > 0 ? counters[int(r, 0, counters.length - 1)]! : on[0];
        if (!w) continue;
        w.present.add(p);
        const a = p.accounts[0]!;
        const signInDay =
          d === cal.first ||
          (d >= -7 * PARAMS.frequentSignInEveryWeeks &&
            week >= p.lastWeekSignedIn + PARAMS.frequentSignInEveryWeeks);
        if (signInDay && (a.live || a.kind === 'holder')) {
          p.lastWeekSignedIn = week;
          add(cal.at(d, PARAMS.hours.open + (p.kind === 'holder' ? 0 : 0.5 + r() * 2)).getTime(), () =>
            this.signIn(a, w, 'weekly'),
          );
        }
      }
      if (ph.admin && this.present(ph.admin, d) && on.includes(ph.backOffice))
        ph.backOffice.present.add(ph.admin);
      if (!this.o.baseline)
        for (const w of on) {
          add(cal.at(d, PARAMS.hours.open).getTime() + 1, () => this.evaluate(w));
          add(cal.at(d, PARAMS.hours.afternoon).getTime(), () => this.evaluate(w));
        }
    }
    for (const p of this.world.accountants) {
      const w = p.office!;
      if (this.present(p, d) && !w.off.has(d)) {
        w.present.add(p);
        if (!this.o.baseline) {
          add(cal.at(d, PARAMS.hours.open).getTime() + 1, () => this.evaluate(w));
          add(cal.at(d, PARAMS.hours.afternoon).getTime(), () => this.evaluate(w));
        }
      }
    }
    // Password delegates: needs, reactions to reminders, letters.
    for (const a of this.world.accounts) {
      if (!a.live || a.kind !== 'password_delegate') continue;
      const p = a.owner;
      const at =
        p.kind === 'accountant'
          ? p.office!.present.has(p)
            ? p.office!
            : null
          : a.pharmacy.backOffice.present.has(p)
            ? a.pharmacy.backOffice
            : null;
      if (!at && !(p.kind === 'accountant' && this.present(p, d))) continue;
      const place = (): Workstation =>
        at && !(p.kind === 'accountant' && chance(r, PARAMS.accountants.onSiteShare))
          ? at
          : a.pharmacy.backOffice;
      const hour = PARAMS.hours.open + 1 + r() * 6;
      if (a.letter && a.letter.arrivesDay <= d) {
        const w = place();
        add(cal.at(d, hour).getTime(), () => this.redeemLetter(a, w));
      } else if ((a.needs.length > 0 && a.needs[0]! <= d) || (a.reactionDay !== null && a.reactionDay <= d)) {
        const need = a.needs.length > 0 && a.needs[0]! <= d;
        if (need) a.needs.shift();
        a.reactionDay = null;
        const w = place();
        add(cal.at(d, hour).getTime(), () => this.signIn(a, w, need ? 'need' : 'reaction'));
      }
    }
    // Card holders who decided to sign in after a reminder (back from leave, say) do so on their weekly sign-in.
    // Banner: a person at a workstation opens Vigie's window.
    if (!this.o.baseline)
      for (const w of this.world.workstations)
        for (const p of w.present)
          if (chance(r, PARAMS.reaction.opensVigieShare))
            add(cal.at(d, PARAMS.hours.open + 0.75).getTime(), async () => this.banner(w, p));
    // Mails read today.
    const end = cal.at(d + 1, 0).getTime();
    const due = this.reads.filter((x) => x.t < end);
    this.reads = this.reads.filter((x) => x.t >= end);
    for (const x of due) add(x.t, async () => this.readMail(x.a, x.mail));
    // Strangers.
    if (d >= 0)
      for (const c of this.campaigns) {
        if (c.day !== d) continue;
        const live = this.world.accounts.filter((a) => a.live && a.id);
        if (live.length === 0) continue;
        const target = live[Math.floor(c.target * live.length)]!;
        if (c.beforeOwner && !target.pendingAttack) target.pendingAttack = c;
        else add(cal.at(d, c.hour).getTime(), () => this.attack(c, target));
      }

    actions.sort((x, y) => x.t - y.t || x.n - y.n);
    for (const act of actions) {
      this.setTime(act.t);
      await act.run();
    }
    this.setTime(cal.at(d, 20).getTime());
    await this.drainMail(d);
    await this.checkSignIns(d);
  }

  present(p: Person, d: number): boolean {
    const info = this.o.cal.info(d);
    if (d < p.hiredDay || (p.leftDay !== null && d >= p.leftDay)) return false;
    if (info.christmas || !p.workdays.has(info.dow)) return false;
    return p.absent[this.o.cal.ix(d)] === 0;
  }

  // ---------------------------------------------------------------- jobs, mail, invariants

  private async jobs(d: number) {
    const backend = this.b;
    await backend.jobs.run('inactivity');
    await this.syncBlocks();
    await this.checkNoActivePastDue(d);
    await backend.jobs.run('reminders');
    if ((d - this.o.cal.first) % 30 === 29) await backend.jobs.run('retention');
    await this.drainMail(d);
  }

  private async drainMail(d: number) {
    await this.b.jobs.run('mail'); // sends until the outbox is empty
    const mails = this.o.sink.take();
    const reminderIds: string[] = [];
    for (const m of mails) {
      const a = this.byEmail.get(m.to);
      if (a) this.mailsByAccount.set(a.key, (this.mailsByAccount.get(a.key) ?? 0) + 1);
      const days = reminderDaysOf(m.subject);
      const mailedCode = /^Votre code Vigie : ([0-9]{6})$/.exec(m.subject)?.[1];
      if (mailedCode) this.mailedCodes.set(m.to, mailedCode);
      if (m.subject === SIGN_IN_SUBJECT) {
        this.mailsByKind.signIn++;
        this.signInMailsToday.set(m.to, (this.signInMailsToday.get(m.to) ?? 0) + 1);
      } else if (days !== null) this.mailsByKind.reminder++;
      else if (m.subject.includes('est bloqué')) this.mailsByKind.blocked++;
      else this.mailsByKind.other++;
      if (days === null || !a) continue;
      const key = `${m.to}|${days}|${m.dateText}`;
      if (this.reminderKeys.has(key))
        this.fail(d, a, `reminder D-${days} for the block of ${m.dateText} mailed twice`);
      this.reminderKeys.add(key);
      if (a.id) reminderIds.push(a.id);
      this.scheduleRead(a, days);
    }
    if (reminderIds.length > 0) {
      const blocked = await this.b.db
        .selectFrom('accounts')
        .select(['id'])
        .where('id', 'in', reminderIds)
        .where('state', '=', 'blocked')
        .execute();
      for (const b of blocked) this.fail(d, this.byId.get(b.id)!, 'reminder mailed to a blocked account');
    }
  }

  private fail(d: number, a: Account | undefined, what: string): never {
    const day = this.o.cal.info(d);
    const date = `${day.year}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;
    throw new InvariantError(
      `invariant broken on simulated day ${d} (${date}): ${what}` +
        (a ? ` — account ${a.displayName} (${a.kind}, ${a.id ?? a.key}) of ${a.pharmacy.name}` : ''),
    );
  }

  /** No active account past its block date after the day's sweep. */
  private async checkNoActivePastDue(d: number) {
    const late = await this.b.db
      .selectFrom('accounts')
      .select(['id', 'block_due_at'])
      .where('state', '=', 'active')
      .where('block_due_at', '<=', this.now)
      .limit(1)
      .execute();
    if (late.length > 0)
      this.fail(
        d,
        this.byId.get(late[0]!.id),
        `active after its block date ${new Date(late[0]!.block_due_at).toISOString()}`,
      );
  }

  /** Every acknowledged sign-in of the day has its event and its mail. */
  private async checkSignIns(d: number) {
    if (this.signInsToday.size === 0) return;
    const from = this.o.cal.at(d, 0);
    const rows = await this.b.db
      .selectFrom('events')
      .select(['account_id', sql<number>`count(*)::int`.as('n')])
      .where('type', '=', 'sign_in')
      .where('outcome', '=', 'success')
      .where('at', '>=', from)
      .where('at', '<', this.o.cal.at(d + 1, 0))
      .groupBy('account_id')
      .execute();
    const events = new Map(rows.map((x) => [x.account_id, Number(x.n)]));
    for (const [a, n] of this.signInsToday) {
      if ((events.get(a.id!) ?? 0) < n)
        this.fail(d, a, `${n} sign-ins acknowledged, ${events.get(a.id!) ?? 0} sign_in events`);
      if ((this.signInMailsToday.get(a.email) ?? 0) < n)
        this.fail(
          d,
          a,
          `${n} sign-ins acknowledged, ${this.signInMailsToday.get(a.email) ?? 0} sign-in mails`,
        );
    }
    this.signInsToday.clear();
    this.signInMailsToday.clear();
  }

  /** Blocks since the last look, from the accounts' events. */
  private async syncBlocks() {
    const rows = await this.b.db
      .selectFrom('events')
      .select(['id', 'account_id', 'at', 'details'])
      .where('type', '=', 'account_blocked')
      .where('id', '>', this.lastBlockEventId as never)
      .orderBy('id')
      .execute();
    if (rows.length > 0) this.lastBlockEventId = rows[rows.length - 1]!.id as number | string;
    for (const row of rows) {
      const a = this.byId.get(row.account_id);
      if (!a || a.openBlock) continue;
      const at = new Date(row.at);
      const reason =
        (row.details as { reason?: string }).reason === 'suspicious' ? 'suspicious' : 'inactivity';
      const ownerGone = a.owner.leftDay !== null && this.today >= a.owner.leftDay;
      const b: BlockRecord = {
        account: a,
        at,
        reason,
        deliveries: a.cycle.deliveries.filter((x) => x.at < at),
        missed: [...a.cycle.missed, ...this.unreadMails(a, at)],
        neededAt: null,
        unblockedAt: null,
        path: null,
        ownerGone: ownerGone || a.revoked,
        byStranger: false,
      };
      if (reason === 'inactivity') b.missed.push(...this.plannerContext(a, at));
      a.openBlock = b;
      this.blocks.push(b);
    }
  }

  private unreadMails(a: Account, at: Date): Missed[] {
    return (this.sentThisCycle.get(a) ?? [])
      .filter((m) => !m.readAt || m.readAt > at)
      .map((m) => ({
        channel: 'mail' as const,
        days: m.days,
        at: m.sentAt,
        why: m.readAt ? `read ${m.why} after the block` : m.why,
      }));
  }

  /** Where the app could have reminded this person: the workstations they used it on, as they stand. */
  private plannerContext(a: Account, at: Date): Missed[] {
    const d = this.o.cal.dayOf(at);
    const out: Missed[] = [];
    for (const key of a.usedOn) {
      const w = this.world.workstations.find((x) => x.key === key)!;
      const offDays = [...w.off].filter((x) => x <= d && x > d - 31).length;
      if (w.replacedDay !== null && w.replacedDay <= d && w.replacedDay > this.o.cal.dayOf(a.cycle.since))
        out.push({
          channel: 'app',
          days: 0,
          at,
          why: `${w.label} was replaced by a new install that does not follow this account`,
        });
      if (a.id && !w.planner.knows(a.id) && !(w.replacedDay !== null && w.replacedDay <= d))
        out.push({
          channel: 'app',
          days: 0,
          at,
          why: `${w.label} no longer knew this account's status: a later sign-in there (another account) replaced its list`,
        });
      if (offDays > 0)
        out.push({
          channel: 'app',
          days: 0,
          at,
          why: `${w.label} was out of order ${offDays} of the last 30 days`,
        });
    }
    if (a.usedOn.size === 0)
      out.push({ channel: 'app', days: 0, at, why: 'never signed in on a workstation with Vigie' });
    const absent = [...Array(31).keys()].filter(
      (k) => d - k >= this.o.cal.first && !this.present(a.owner, d - k) && this.o.cal.info(d - k).dow !== 0,
    ).length;
    if (absent > 10)
      out.push({ channel: 'app', days: 0, at, why: `away ${absent} of the last 30 days (holiday or leave)` });
    return out;
  }

  // ---------------------------------------------------------------- reminders delivered

  private deliver(a: Account, x: Delivery) {
    if (a.openBlock) return;
    a.cycle.deliveries.push(x);
    if (a.owner.leftDay !== null && this.today >= a.owner.leftDay) return;
    const P = PARAMS.reaction;
    const p = P.actProbability[a.owner.temperament] + (x.days <= 3 ? P.lastDaysBoost : 0);
    if (chance(this.rng, p)) {
      const when = this.today + int(this.rng, P.delayDays[0], P.delayDays[1]);
      if (a.kind === 'password_delegate')
        a.reactionDay = a.reactionDay === null ? when : Math.min(a.reactionDay, when);
      else a.owner.lastWeekSignedIn = Math.min(a.owner.lastWeekSignedIn, -1e9); // signs in at the next working day
    }
  }

  private async evaluate(w: Workstation) {
    if (w.planner.quiet(this.now)) return;
    this.onNotices(w, await w.planner.wake());
  }

  private onNotices(w: Workstation, notices: ReminderNotice[]) {
    for (const n of notices) {
      const a = this.byId.get(n.accountId);
      if (!a || n.days === 0) continue;
      if (w.present.has(a.owner))
        this.deliver(a, { channel: 'app', days: n.days, at: this.now, where: w.label });
      else
        a.cycle.missed.push({
          channel: 'app',
          days: n.days,
          at: this.now,
          why: `notification on ${w.label}${w.key.startsWith('ph') ? ` (${a.pharmacy.name})` : ''} while ${a.owner.firstName} was not at it`,
        });
    }
  }

  private banner(w: Workstation, p: Person) {
    for (const rem of w.planner.list()) {
      const a = this.byId.get(rem.accountId);
      if (!a || a.owner !== p || rem.urgency === 'active' || rem.urgency === 'blocked') continue;
      const offsets = [...(this.o.reminderDays ?? [30, 14, 7, 3, 1])].sort((x, y) => y - x);
      const days = offsets.filter((o) => o >= rem.daysLeft).pop() ?? 30;
      if (a.cycle.deliveries.some((x) => x.channel === 'banner' && x.days === days)) continue;
      this.deliver(a, { channel: 'banner', days, at: this.now, where: w.label });
    }
  }

  private scheduleRead(a: Account, days: number) {
    const p = a.owner;
    const sentAt = this.now;
    const gone = p.leftDay !== null && this.today >= p.leftDay;
    const mail: SentMail = {
      days,
      sentAt,
      readAt: null,
      why: gone ? 'the owner has left' : 'mailbox never read',
    };
    const list = this.sentThisCycle.get(a) ?? [];
    list.push(mail);
    this.sentThisCycle.set(a, list);
    if (gone || p.mail === 'never') return;
    let t = sentAt.getTime() + (p.mail === 'daily' ? this.rng() : this.rng() * 7) * DAY_MS;
    let d = this.o.cal.dayOf(new Date(t));
    if (
      d <= this.o.cal.last &&
      !this.present(p, d) &&
      p.absent[this.o.cal.ix(d)] !== 0 &&
      !chance(this.rng, PARAMS.holidays.readMailOnHoliday)
    ) {
      while (d <= this.o.cal.last && p.absent[this.o.cal.ix(d)] !== 0) d++;
      t = this.o.cal.at(d, PARAMS.hours.open).getTime();
      mail.why = 'on holiday or leave';
    } else mail.why = p.mail === 'weekly' ? 'mailbox read weekly' : 'mailbox read daily';
    if (d > this.o.cal.last) return;
    this.reads.push({ t, a, mail });
  }

  private readMail(a: Account, mail: SentMail) {
    mail.readAt = this.now;
    if (!a.cycle.since || a.cycle.since > mail.sentAt || a.openBlock) return;
    this.deliver(a, { channel: 'mail', days: mail.days, at: this.now, where: 'mailbox' });
  }

  // ---------------------------------------------------------------- sign-ins and unblocks

  private currentCard(p: Person, d: number): SimCard | Promise<SimCard> | null {
    const now = this.now;
    const g = [...p.cards].reverse().find((c) => c.fromDay <= d);
    if (!g || g.notAfter <= now) return null;
    if (g.card) return g.card;
    return this.o.pki
      .issue({
        nationalId: p.nationalId!,
        lastName: p.lastName,
        firstName: p.firstName,
        notBefore: new Date(
          Math.max(
            Math.min(
              g.notAfter.getTime() - 3 * 365 * DAY_MS,
              this.o.cal.at(Math.max(g.fromDay, this.o.cal.first), 0).getTime() - DAY_MS,
            ),
            this.o.pki.intermediateNotBefore.getTime() + 60_000,
          ),
        ),
        notAfter: g.notAfter,
        serial: `5${g.serial}${p.key.length}`.replace(/[^0-9]/g, '') || '51',
      })
      .then((c) => (g.card = c));
  }

  /**
   * A new password that passes the backend's rules (CNIL shapes, no repeated or sequential characters, zxcvbn ≥ 3):
   * alternating consonants and vowels drawn from a hash of the account and a counter (deterministic per seed).
   */
  private strongPassword(a: Account) {
    a.passwordSerial++;
    const h = createHash('sha256').update(`${this.o.seed}:${a.key}:${a.passwordSerial}`).digest();
    const C = 'bcdfghjklmnprstvz';
    const V = 'aeiou';
    let word = '';
    for (let i = 0; i < 14; i++) word += i % 2 === 0 ? C[h[i]! % C.length] : V[h[i]! % V.length];
    return `${word.slice(0, 7)}-${word[7]!.toUpperCase()}${word.slice(8)}!${(h[20]! % 9) + 1}`;
  }

  /** A sign-in of the account's owner on a workstation; handles blocks (unblock paths) and password expiry. */
  private async signIn(
    a: Account,
    w: Workstation,
    why: 'weekly' | 'need' | 'reaction' | 'admin',
  ): Promise<void> {
    if (a.pendingAttack) {
      const c = a.pendingAttack;
      a.pendingAttack = null;
      await this.attack(c, a);
      this.setTime(this.now.getTime() + 10 * 60_000);
    }
    if (a.openBlock && !a.openBlock.neededAt && why !== 'admin') a.openBlock.neededAt = this.now;
    let r: { status: number; json: Record<string, unknown> & { code?: string } };
    let path: UnblockPath | null = null;
    if (a.kind === 'password_delegate') {
      r = await this.passwordSignIn(a, w);
      if (r.status === 200 && r.json.passwordChangeRequired) {
        const next = this.strongPassword(a);
        const c = await this.api.call('POST', '/v1/auth/password/change', {
          ws: w,
          ip: w.ip,
          token: r.json.token as string,
          body: { currentPassword: a.password, newPassword: next },
        });
        if (c.status !== 200) throw new Error(`password change refused: ${JSON.stringify(c.json)}`);
        a.password = next;
        this.ack(a);
        r = await this.passwordSignIn(a, w);
      }
    } else {
      const card = await this.currentCard(a.owner, this.today);
      if (card) {
        const ch = await this.api.call('POST', '/v1/auth/card/challenge', { ws: w, ip: w.ip });
        const challenge = ch.json.challenge as string;
        r = await this.api.call('POST', '/v1/auth/card', {
          ws: w,
          ip: w.ip,
          body: {
            challenge,
            signature: this.o.pki.signChallenge(card, challenge),
            certificate: card.certDerB64,
            cardSerial: card.serial,
          },
        });
        path = 'card';
      } else if (a.owner.ecps && this.psc) {
        r = await this.ecps(a, w);
        path = 'ecps';
      } else {
        this.signInsRefusedNoCard++;
        return;
      }
    }
    if (r.status === 200) {
      await this.success(a, w, r.json, path ?? (a.openBlock ? a.openBlock.path : null));
      return;
    }
    const code = r.json.code ?? `HTTP_${r.status}`;
    if (code === 'ACCOUNT_BLOCKED_INACTIVITY' || code === 'ACCOUNT_BLOCKED_SUSPICIOUS') {
      await this.syncBlocks();
      if (a.openBlock && !a.openBlock.neededAt) a.openBlock.neededAt = this.now;
      if (a.kind === 'password_delegate') await this.unblockByPassword(a, w);
      return;
    }
    if (a.attackedUntil > this.now.getTime()) {
      this.lockouts.push({ account: a.key, at: this.now, code, attack: 'recent' });
      return;
    }
    throw new Error(`sign-in of ${a.displayName} (${a.kind}) refused: ${code} ${JSON.stringify(r.json)}`);
  }

  /**
   * A password sign-in with its second step, as an accountant does it: the code of her authenticator app; or, the
   * first time her pharmacy requires the factor, an enrolment proven by the code mailed to her dedicated address.
   */
  private async passwordSignIn(a: Account, w: Workstation) {
    const r = await this.api.call('POST', '/v1/auth/password', {
      ws: w,
      ip: w.ip,
      body: { identifier: a.identifier, password: a.password },
    });
    const step =
      r.status === 200 ? (r.json.secondStep as { ticket: string; purpose: string } | undefined) : undefined;
    if (!step) return r;
    const body = { ticket: step.ticket };
    if (step.purpose === 'verify') {
      const app = this.totp.get(a.key);
      if (!app) throw new Error(`${a.displayName} has a factor the model did not enrol`);
      return this.api.call('POST', '/v1/auth/second-factor', {
        ws: w,
        ip: w.ip,
        body: { ...body, method: 'totp', code: this.appCode(app) },
      });
    }
    this.graceEnrolments.add(a.key);
    await this.api.call('POST', '/v1/auth/second-factor/mail-code', { ws: w, ip: w.ip, body });
    await this.drainMail(this.today);
    const mailCode = this.mailedCodes.get(a.email);
    if (!mailCode) throw new Error(`no code mailed to ${a.displayName}`);
    const t = await this.api.call('POST', '/v1/auth/enrol/totp', {
      ws: w,
      ip: w.ip,
      body: { ...body, mailCode },
    });
    if (t.status !== 200) throw new Error(`enrolment refused: ${JSON.stringify(t.json)}`);
    const app = { secret: t.json.secret as string, lastStep: -1 };
    this.totp.set(a.key, app);
    const c = await this.api.call('POST', '/v1/auth/enrol/confirm', {
      ws: w,
      ip: w.ip,
      body: { ...body, kind: 'totp', code: this.appCode(app) },
    });
    return c.status === 200 ? { ...c, json: c.json.session as typeof c.json } : c;
  }

  /** The app's code now; a code is accepted once, so a second sign-in in the same 30 s waits for the next one. */
  private appCode(app: { secret: string; lastStep: number }) {
    let step = Math.floor(this.now.getTime() / 30_000);
    if (step <= app.lastStep) {
      this.setTime((app.lastStep + 1) * 30_000);
      step = app.lastStep + 1;
    }
    app.lastStep = step;
    return new TOTP({ secret: Secret.fromBase32(app.secret) }).generate({ timestamp: this.now.getTime() });
  }

  private ack(a: Account) {
    this.signIns++;
    this.signInsToday.set(a, (this.signInsToday.get(a) ?? 0) + 1);
  }

  private async success(a: Account, w: Workstation, json: Record<string, unknown>, path: UnblockPath | null) {
    this.ack(a);
    const token = json.token as string;
    if (!a.id) a.id = (json.account as { id: string }).id;
    this.byId.set(a.id, a);
    if (a.openBlock) {
      await this.syncBlocks();
      a.openBlock.unblockedAt = this.now;
      a.openBlock.path = path ?? 'card';
      a.openBlock = null;
    }
    a.cycle = { since: this.now, deliveries: [], missed: [] };
    this.sentThisCycle.delete(a);
    a.usedOn.add(w.key);
    w.session = { token, account: a, until: this.now.getTime() + HOUR };
    if (a.kind === 'password_delegate' && a.securityKey && !a.securityKeySet) {
      const k = await this.api.call('POST', '/v1/me/security-key', {
        ws: w,
        ip: w.ip,
        token,
        body: { answers: a.owner.securityAnswers, currentPassword: a.password },
      });
      if (k.status === 200) a.securityKeySet = true;
      else a.securityKey = false;
    }
    if (a.kind === 'holder') await this.holderTasks(a, w, token);
    if (!this.o.baseline) this.onNotices(w, await w.planner.follow(a.id));
  }

  /** The holder grants the delegations of new people and revokes those of people who left. */
  private async holderTasks(h: Account, w: Workstation, token: string) {
    const ph = h.pharmacy;
    for (const a of ph.toGrant.splice(0)) {
      a.password = a.kind === 'password_delegate' ? this.strongPassword(a) : null;
      const body =
        a.kind === 'card_delegate'
          ? {
              kind: 'card_delegate',
              displayName: a.displayName,
              nationalId: a.owner.nationalId,
              email: a.email,
            }
          : {
              kind: 'password_delegate',
              displayName: a.displayName,
              identifier: a.identifier,
              email: a.email,
              initialPassword: a.password,
            };
      const r = await this.api.call('POST', '/v1/delegations', { ws: w, ip: w.ip, token, body });
      if (r.status !== 200)
        throw new Error(`delegation refused for ${a.displayName}: ${JSON.stringify(r.json)}`);
      a.delegationId = r.json.id as string;
      a.id = (r.json.delegate as { accountId: string }).accountId;
      this.byId.set(a.id, a);
      a.live = true;
      a.cycle = { since: this.now, deliveries: [], missed: [] };
    }
    for (const a of ph.toRevoke.splice(0)) {
      if (!a.delegationId) continue;
      const r = await this.api.call('DELETE', `/v1/delegations/${a.delegationId}`, {
        ws: w,
        ip: w.ip,
        token,
      });
      if (r.status !== 200)
        throw new Error(`revocation refused for ${a.displayName}: ${JSON.stringify(r.json)}`);
      a.revoked = true;
      a.live = false;
    }
  }

  /** e-CPS: the backend's back-channel request to the person's phone (the PSC sandbox), approved there, polled here. */
  private async ecps(a: Account, w: Workstation) {
    const psc = this.psc!;
    const s = await this.api.call('POST', '/v1/auth/ecps', {
      ws: w,
      ip: w.ip,
      body: { nationalId: a.owner.nationalId },
    });
    if (s.status !== 200) return s;
    const tx = s.json.transactionId as string;
    const req = await psc.waitForPending(
      (p) => p.nationalId === a.owner.nationalId && !this.usedAuthReq.has(p.authReqId),
      10_000,
    );
    this.usedAuthReq.add(req.authReqId);
    await psc.approve(req.authReqId);
    for (let i = 0; i < 100; i++) {
      this.setTime(this.now.getTime() + 2000);
      await new Promise((res) => setTimeout(res, 20));
      const p = await this.api.call('POST', '/v1/auth/ecps/poll', {
        ws: w,
        ip: w.ip,
        body: { transactionId: tx },
      });
      if (p.status !== 200) return p;
      if (p.json.status === 'approved')
        return { status: 200, json: p.json.session as Record<string, unknown> };
    }
    return { status: 504, json: { code: 'ECPS_TIMEOUT' } };
  }

  private async unblockByPassword(a: Account, w: Workstation) {
    if (a.letter) return; // a letter is on its way
    if (a.securityKeySet && a.owner.remembersKey) {
      const k = await this.api.call('POST', '/v1/unblock/security-key', {
        ws: w,
        ip: w.ip,
        body: { identifier: a.identifier, answers: a.owner.securityAnswers },
      });
      if (k.status === 200) {
        await this.newPasswordAndSignIn(a, w, k.json.ticket as string, 'security_key');
        return;
      }
    }
    const p = await this.api.call('POST', '/v1/unblock/postal-code/request', {
      ws: w,
      ip: w.ip,
      body: { identifier: a.identifier },
    });
    if (p.status !== 200) throw new Error(`postal request refused: ${JSON.stringify(p.json)}`);
    const days = int(this.rng, PARAMS.unblock.letterDays[0], PARAMS.unblock.letterDays[1]);
    a.letter = {
      reference: p.json.reference as string,
      arrivesDay: this.o.cal.addWorkingDays(this.today, days),
    };
  }

  private async redeemLetter(a: Account, w: Workstation) {
    const l = a.letter!;
    a.letter = null;
    const manifest = join(this.o.lettersDir, 'letters', 'manifest.jsonl');
    const line = existsSync(manifest)
      ? readFileSync(manifest, 'utf8')
          .trim()
          .split('\n')
          .map((x) => JSON.parse(x) as { reference: string; file: string })
          .find((x) => x.reference === l.reference)
      : undefined;
    if (!line) throw new Error(`no letter ${l.reference} in the outbox`);
    await markLetterPrinted(this.b.db, l.reference, this.now);
    const letter = await readLetter(join(this.o.lettersDir, line.file));
    const r = await this.api.call('POST', '/v1/unblock/postal-code', {
      ws: w,
      ip: w.ip,
      body: { identifier: a.identifier, code: letter.code },
    });
    if (r.status !== 200) {
      // Expired or spoilt: ask again.
      await this.unblockByPassword(a, w);
      return;
    }
    await this.newPasswordAndSignIn(a, w, r.json.ticket as string, 'postal_code');
  }

  private async newPasswordAndSignIn(a: Account, w: Workstation, ticket: string, path: UnblockPath) {
    const next = this.strongPassword(a);
    const u = await this.api.call('POST', '/v1/unblock/password', {
      ws: w,
      ip: w.ip,
      body: { ticket, newPassword: next },
    });
    if (u.status !== 200) throw new Error(`unblock password refused: ${JSON.stringify(u.json)}`);
    a.password = next;
    const r = await this.passwordSignIn(a, w);
    if (r.status !== 200) throw new Error(`sign-in after unblock refused: ${JSON.stringify(r.json)}`);
    await this.success(a, w, r.json, path);
  }

  // ---------------------------------------------------------------- strangers

  private async attack(c: Campaign, a: Account) {
    if (!a.id) return;
    const kind = fitKind(c.kind, a);
    const before = await this.stateOf(a.id);
    const api = this.api;
    for (let k = 0; k < 3; k++) {
      const ws: WsRef = attackerWs();
      const ip = attackerIp(c.n, k);
      if (kind === 'forged-card') {
        const forged = await this.o.pki.forged(a.owner.nationalId!);
        for (const cert of [
          forged.certDerB64,
          ((await this.currentCard(a.owner, this.today)) ?? forged).certDerB64,
        ]) {
          const ch = await api.call('POST', '/v1/auth/card/challenge', { ws, ip });
          const challenge = ch.json.challenge as string;
          await api.call('POST', '/v1/auth/card', {
            ws,
            ip,
            body: { challenge, signature: this.o.pki.signChallenge(forged, challenge), certificate: cert },
          });
        }
      } else if (kind === 'password-flood') {
        for (let i = 0; i < PARAMS.strangers.floodTries / 3; i++)
          await api.call('POST', '/v1/auth/password', {
            ws: attackerWs(),
            ip,
            body: { identifier: a.identifier, password: `Wrong-${c.n}-${k}-${i}-Passw0rd!` },
          });
      } else if (kind === 'ecps-push') {
        const s = await api.call('POST', '/v1/auth/ecps', {
          ws,
          ip,
          body: { nationalId: a.owner.nationalId },
        });
        if (s.status === 200 && this.psc && a.owner.ecps) {
          const req = await this.psc
            .waitForPending(
              (p) => p.nationalId === a.owner.nationalId && !this.usedAuthReq.has(p.authReqId),
              5000,
            )
            .catch(() => null);
          if (req) {
            this.usedAuthReq.add(req.authReqId);
            // The owner does not recognise the request: refuses it (or ignores it, every other time).
            if (k !== 1) await this.psc.refuse(req.authReqId, 'not me');
          }
        }
      } else {
        await api.call('POST', '/v1/unblock/postal-code/request', {
          ws,
          ip,
          body: { identifier: a.identifier },
        });
        for (let i = 0; i < 4; i++)
          await api.call('POST', '/v1/unblock/postal-code', {
            ws,
            ip,
            body: { identifier: a.identifier, code: `ABCD-EFGH-JK${k}${i}` },
          });
      }
    }
    const after = await this.stateOf(a.id);
    const blocked = before === 'active' && after === 'blocked';
    this.attacks.push({ kind, day: this.today, account: a.key, accountKind: a.kind, blocked });
    if (blocked) {
      await this.syncBlocks();
      if (a.openBlock) a.openBlock.byStranger = true;
    }
    a.attackedUntil = this.now.getTime() + DAY_MS;
  }

  private async stateOf(id: string) {
    const r = await this.b.db.selectFrom('accounts').select('state').where('id', '=', id).executeTakeFirst();
    return r?.state;
  }

  // ---------------------------------------------------------------- the end

  /** Every account's hash chain verifies (as its holder sees it: GET /v1/events/verify). */
  async verifyChains(): Promise<{ verified: number; failed: string[]; skipped: number }> {
    const failed: string[] = [];
    let verified = 0;
    let skipped = 0;
    for (const ph of this.world.pharmacies) {
      const h = ph.holder.accounts[0]!;
      const w = ph.counters[0]!;
      const card = await this.currentCard(ph.holder, this.o.cal.last);
      let token: string | null = null;
      if (card) {
        const ch = await this.api.call('POST', '/v1/auth/card/challenge', { ws: w, ip: w.ip });
        const challenge = ch.json.challenge as string;
        const r = await this.api.call('POST', '/v1/auth/card', {
          ws: w,
          ip: w.ip,
          body: {
            challenge,
            signature: this.o.pki.signChallenge(card, challenge),
            certificate: card.certDerB64,
          },
        });
        if (r.status === 200) token = r.json.token as string;
      }
      const ids = this.world.accounts.filter((a) => a.pharmacy === ph && a.id).map((a) => a.id!);
      if (!token) {
        skipped += ids.length;
        continue;
      }
      for (const id of ids) {
        const v = await this.api.call('GET', `/v1/events/verify?accountId=${id}`, { ws: w, ip: w.ip, token });
        if (v.status !== 200) {
          skipped++;
          continue;
        }
        if (v.json.ok) verified++;
        else failed.push(`${id}: ${JSON.stringify(v.json.firstBad)}`);
      }
      void h;
    }
    return { verified, failed, skipped };
  }

  /** Blocks of accounts whose owner still works with the pharmacy and had not needed them yet by the end. */
  closeBlocks(): void {
    const end = this.o.cal.last;
    for (const b of this.blocks) {
      const gone = b.account.owner.leftDay !== null && b.account.owner.leftDay <= end;
      if (gone || b.account.revoked) b.ownerGone = b.neededAt === null;
    }
  }

  inactivityDue(a: Account): Date {
    return addParisMonths(a.cycle.since, 6);
  }
}

export type { Pharmacy };
