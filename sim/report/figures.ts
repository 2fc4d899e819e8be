/** Every figure of one run, as plain JSON (the report's data). */
import type { Calendar } from '../model/calendar';
import type { Engine } from '../model/engine';
import type { BlockRecord } from '../model/types';
import type { SimOptions } from '../run';

export interface Story {
  account: string;
  who: string;
  kind: string;
  cadence: string;
  pharmacy: string;
  blockedAt: string;
  neededAt: string | null;
  unblockedAt: string | null;
  path: string | null;
  daysBlocked: number | null;
  /** From the first need after the block to the unblock: the time the person was kept out. */
  daysKeptOut: number | null;
  remindersDelivered: number;
  byChannel: Record<string, number>;
  delivered: { channel: string; days: number; at: string; where: string }[];
  missed: { channel: string; days: number; at: string; why: string }[];
  workstations: string[];
}

export interface RunFigures {
  label: string;
  options: {
    pharmacies: number;
    years: number;
    seed: number;
    db: string;
    baseline: boolean;
    keepFollowedStatuses: boolean;
    reminderDays: number[] | null;
    mailReminderDays: number[] | null;
  };
  runtimeMs: number;
  simulatedPharmacyDays: number;
  pharmacyDaysPerSecond: number;
  population: {
    pharmacies: number;
    people: number;
    accounts: number;
    byKind: Record<string, number>;
    accountants: number;
  };
  signIns: number;
  apiCalls: number;
  signInsImpossibleNoCard: number;
  blocks: {
    total: number;
    inactivity: number;
    suspicious: number;
    surprise: number;
    surpriseNeeded: number;
    surpriseStillBlockedAtEnd: number;
    notNeeded: number;
    surpriseFewerThan3Reminders: number;
    byStranger: number;
  };
  surprisePerMonth: Record<string, number>;
  unblock: {
    byPath: Record<
      string,
      { count: number; medianDays: number; p90Days: number; maxDays: number; days: number[] }
    >;
    medianDaysBlocked: number | null;
    /** Median days from the first need to the unblock (surprise blocks that were needed and unblocked). */
    medianDaysKeptOut: number | null;
  };
  mails: { total: number; perAccountYear: number; byKind: Record<string, number> };
  strangers: {
    campaigns: number;
    byKind: Record<string, number>;
    blocksCaused: number;
    lockouts: number;
    lockoutDetails: { account: string; at: string; code: string }[];
  };
  /** Accountants whom the end of the second factor's grace period met without a factor (locked out but for their mailbox). */
  graceLockouts: number;
  chains: { verified: number; failed: string[]; skipped: number };
  stories: Story[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const median = (xs: number[]) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};
const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const days = (a: Date, b: Date) => Math.round(((b.getTime() - a.getTime()) / 86_400_000) * 10) / 10;

/** A surprise: an inactivity block of an account whose owner needed it later (or still works there and would). */
export const isSurprise = (b: BlockRecord) => b.reason === 'inactivity' && !b.ownerGone;

/** Distinct reminders delivered before the block (one per offset, whatever the channel). */
export const remindersDelivered = (b: BlockRecord) => new Set(b.deliveries.map((d) => d.days)).size;

export function figuresOf(
  e: Engine,
  x: {
    label: string;
    options: SimOptions;
    cal: Calendar;
    chains: RunFigures['chains'];
    runtimeMs: number;
    sinkTotal: number;
  },
): RunFigures {
  const w = e.world;
  const end = x.cal.at(x.cal.last + 1, 0);
  const runBlocks = e.blocks.filter((b) => b.at >= x.cal.at(0, 0));
  const surprise = runBlocks.filter(isSurprise);
  const perMonth: Record<string, number> = {};
  for (let d = 0; d <= x.cal.last; d += 1) {
    const i = x.cal.info(d);
    perMonth[`${i.year}-${String(i.month).padStart(2, '0')}`] ??= 0;
  }
  for (const b of surprise) {
    const k = b.at.toISOString().slice(0, 7);
    perMonth[k] = (perMonth[k] ?? 0) + 1;
  }
  const byPath: RunFigures['unblock']['byPath'] = {};
  for (const b of runBlocks) {
    if (!b.unblockedAt || !b.path) continue;
    const p = (byPath[b.path] ??= { count: 0, medianDays: 0, p90Days: 0, maxDays: 0, days: [] });
    p.count++;
    p.days.push(days(b.at, b.unblockedAt));
  }
  for (const p of Object.values(byPath)) {
    p.medianDays = median(p.days);
    p.p90Days = pct(p.days, 0.9);
    p.maxDays = Math.max(...p.days);
  }
  const blockedDays = surprise.map((b) => days(b.at, b.unblockedAt ?? end));
  const keptOut = surprise.flatMap((b) =>
    b.neededAt && b.unblockedAt ? [days(b.neededAt, b.unblockedAt)] : [],
  );
  const accountYears = w.accounts
    .filter((a) => a.id)
    .reduce((s, a) => {
      const from = Math.max(a.grantedDay, x.cal.first);
      const to = a.owner.leftDay !== null && a.revoked ? a.owner.leftDay : x.cal.last;
      return s + Math.max(0, to - from) / 365;
    }, 0);
  const byKind: Record<string, number> = {};
  for (const a of w.accounts) if (a.id) byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
  const attackKinds: Record<string, number> = {};
  for (const a of e.attacks) attackKinds[a.kind] = (attackKinds[a.kind] ?? 0) + 1;
  const story = (b: BlockRecord): Story => {
    const a = b.account;
    const byChannel: Record<string, number> = {};
    for (const d of b.deliveries) byChannel[d.channel] = (byChannel[d.channel] ?? 0) + 1;
    return {
      account: a.key,
      who: `${a.displayName} (${a.owner.kind}${a.owner.kind === 'accountant' ? `, ${a.owner.accounts.length} pharmacies` : ''}; mail ${a.owner.mail}, ${a.owner.temperament})`,
      kind: a.kind,
      cadence: a.cadenceName,
      pharmacy: a.pharmacy.name,
      blockedAt: b.at.toISOString(),
      neededAt: iso(b.neededAt),
      unblockedAt: iso(b.unblockedAt),
      path: b.path,
      daysBlocked: b.unblockedAt ? days(b.at, b.unblockedAt) : null,
      daysKeptOut: b.neededAt && b.unblockedAt ? days(b.neededAt, b.unblockedAt) : null,
      remindersDelivered: remindersDelivered(b),
      byChannel,
      delivered: b.deliveries.map((d) => ({
        channel: d.channel,
        days: d.days,
        at: d.at.toISOString(),
        where: d.where,
      })),
      missed: b.missed.map((m) => ({ channel: m.channel, days: m.days, at: m.at.toISOString(), why: m.why })),
      workstations: [...a.usedOn],
    };
  };
  const seconds = x.runtimeMs / 1000;
  const pharmacyDays = w.pharmacies.length * (x.cal.last - x.cal.first + 1);
  return {
    label: x.label,
    options: {
      pharmacies: x.options.pharmacies,
      years: x.options.years,
      seed: x.options.seed,
      db: x.options.db,
      baseline: x.options.baseline,
      keepFollowedStatuses: x.options.keepFollowedStatuses ?? false,
      reminderDays: x.options.reminderDays ?? null,
      mailReminderDays: x.options.mailReminderDays ?? null,
    },
    runtimeMs: x.runtimeMs,
    simulatedPharmacyDays: pharmacyDays,
    pharmacyDaysPerSecond: Math.round((pharmacyDays / seconds) * 10) / 10,
    population: {
      pharmacies: w.pharmacies.length,
      people: w.people.filter((p) => p.accounts.some((a) => a.id)).length,
      accounts: w.accounts.filter((a) => a.id).length,
      byKind,
      accountants: w.accountants.length,
    },
    signIns: e.signIns,
    apiCalls: e.api.calls,
    signInsImpossibleNoCard: e.signInsRefusedNoCard,
    blocks: {
      total: runBlocks.length,
      inactivity: runBlocks.filter((b) => b.reason === 'inactivity').length,
      suspicious: runBlocks.filter((b) => b.reason === 'suspicious').length,
      surprise: surprise.length,
      surpriseNeeded: surprise.filter((b) => b.neededAt).length,
      surpriseStillBlockedAtEnd: surprise.filter((b) => !b.unblockedAt).length,
      notNeeded: runBlocks.filter((b) => b.reason === 'inactivity' && b.ownerGone).length,
      surpriseFewerThan3Reminders: surprise.filter((b) => remindersDelivered(b) < 3).length,
      byStranger: e.attacks.filter((a) => a.blocked).length,
    },
    surprisePerMonth: perMonth,
    unblock: {
      byPath,
      medianDaysBlocked: blockedDays.length ? median(blockedDays) : null,
      medianDaysKeptOut: keptOut.length ? median(keptOut) : null,
    },
    mails: {
      total: x.sinkTotal,
      perAccountYear: accountYears > 0 ? Math.round((x.sinkTotal / accountYears) * 10) / 10 : 0,
      byKind: { ...e.mailsByKind },
    },
    strangers: {
      campaigns: e.attacks.length,
      byKind: attackKinds,
      blocksCaused: e.attacks.filter((a) => a.blocked).length,
      lockouts: e.lockouts.length,
      lockoutDetails: e.lockouts.map((l) => ({ account: l.account, at: l.at.toISOString(), code: l.code })),
    },
    graceLockouts: e.graceEnrolments.size,
    chains: x.chains,
    stories: surprise.map(story),
  };
}
