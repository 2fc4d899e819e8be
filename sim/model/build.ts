/**
 * Builds the population from the parameters (../population.ts) and the seed. Everything exogenous is drawn here,
 * once, from streams named after each person, so that the Vigie run and the baseline run of one seed share the
 * same people, holidays, leaves, departures, needs and breakdowns; only reactions to reminders differ.
 */
import { randomUUID } from 'node:crypto';
import { PARAMS } from '../population';
import { chance, int, pick, streamFor, uniform, weighted, type Rng } from '../rng';
import type { Calendar } from './calendar';
import type { Account, Person, PersonKind, Pharmacy, Workstation } from './types';

const FIRST = [
  'Claire',
  'Julien',
  'Sophie',
  'Nadia',
  'Paul',
  'Léa',
  'Karim',
  'Anne',
  'Hugo',
  'Inès',
  'Marc',
  'Emma',
];
const LAST = [
  'MARTIN',
  'PETIT',
  'BERNARD',
  'GARCIA',
  'DURAND',
  'LEROY',
  'MOREAU',
  'SIMON',
  'LAURENT',
  'MICHEL',
];
const CITIES = [
  ['75011', 'Paris'],
  ['69003', 'Lyon'],
  ['13005', 'Marseille'],
  ['31000', 'Toulouse'],
  ['44000', 'Nantes'],
  ['59000', 'Lille'],
] as const;

export interface World {
  pharmacies: Pharmacy[];
  people: Person[];
  accounts: Account[];
  workstations: Workstation[];
  accountants: Person[];
}

export type MakeWorkstation = (key: string, label: string, ip: string) => Workstation;

export function buildWorld(o: {
  seed: number;
  pharmacies: number;
  cal: Calendar;
  makeWs: MakeWorkstation;
}): World {
  const { seed, cal } = o;
  const P = PARAMS;
  const W: World = { pharmacies: [], people: [], accounts: [], workstations: [], accountants: [] };
  const popRng = streamFor(seed, 'population');
  const runDays = cal.last;
  let personN = 0;

  const ws = (key: string, label: string, ip: string, r: Rng, perYear: number) => {
    const w = o.makeWs(key, label, ip);
    // Breakdowns: out of order for weeks; replacements are drawn as the day a new install takes over.
    for (let d = 0; d <= runDays; d++) {
      if (chance(r, P.workstations.offPerYear / 365)) {
        const len = int(r, P.workstations.offDays[0], P.workstations.offDays[1]);
        for (let k = 0; k < len; k++) w.off.add(d + k);
        d += len;
      }
    }
    const rep = -Math.log(1 - r()) * (365 / perYear);
    if (rep < runDays) w.replacedDay = Math.floor(rep);
    W.workstations.push(w);
    return w;
  };

  const person = (kind: PersonKind, hiredDay: number, pharmacyIdx: number): Person => {
    const n = personN++;
    const key = `${kind}-${n}`;
    const r = streamFor(seed, key);
    const card = kind === 'holder' || kind === 'staff';
    const absent = new Uint8Array(cal.length);
    // Holidays for every year the run touches: 2–3 weeks in August, the rest once elsewhere.
    const years = new Set(cal.days.map((x) => x.year));
    for (const y of years) {
      const weeks = int(r, P.holidays.weeksPerYear[0], P.holidays.weeksPerYear[1]);
      const aug = Math.min(weeks, int(r, P.holidays.augustWeeks[0], P.holidays.augustWeeks[1]));
      const augStart = cal.days.findIndex(
        (x) => x.year === y && x.month === 8 && x.day === 1 + int(r, 0, 14),
      );
      if (augStart >= 0)
        for (let k = 0; k < aug * 7 && augStart + k < absent.length; k++) absent[augStart + k] = 1;
      if (weeks > aug) {
        const other = cal.days.findIndex(
          (x) => x.year === y && x.month === pick(r, [2, 4, 5, 10, 11]) && x.day === int(r, 1, 20),
        );
        if (other >= 0)
          for (let k = 0; k < (weeks - aug) * 7 && other + k < absent.length; k++) absent[other + k] = 1;
      }
    }
    if (kind !== 'accountant') {
      for (let d = 0; d <= runDays; d++) {
        if (chance(r, P.staff.longLeavePerYear / 365)) {
          const len = int(r, P.staff.longLeaveDays[0], P.staff.longLeaveDays[1]);
          for (let k = 0; k < len && cal.ix(d + k) < absent.length; k++) absent[cal.ix(d + k)] = 2;
          break;
        }
      }
    }
    let workdays: number[];
    if (kind === 'accountant') workdays = [1, 2, 3, 4, 5];
    else if (kind === 'admin') {
      const k = int(r, P.admin.daysPerWeek[0], P.admin.daysPerWeek[1]);
      workdays = [1, 2, 3, 4, 5].sort(() => r() - 0.5).slice(0, k);
    } else {
      const off = int(r, 1, 6);
      workdays = [1, 2, 3, 4, 5, 6].filter((x) => x !== off);
    }
    let leftDay: number | null = null;
    if (kind === 'staff') {
      const l = hiredDay + Math.max(0, 0) + -Math.log(1 - r()) * (365 / P.staff.leavesPerYear);
      if (l < runDays && l > Math.max(hiredDay, 0)) leftDay = Math.floor(l);
    }
    const cards: Person['cards'] = [];
    if (card) {
      // The current card expires uniformly within its 3-year life; renewals follow.
      let expiry = cal.at(0, 0).getTime() + r() * P.cards.validityYears * 365 * 86_400_000;
      let from = cal.first;
      for (let g = 0; g < 3; g++) {
        cards.push({
          fromDay: from,
          notAfter: new Date(expiry),
          card: null,
          serial: `${n}${g}`.padStart(6, '0'),
        });
        const expDay = cal.dayOf(new Date(Math.min(expiry, cal.at(runDays, 0).getTime())));
        from = chance(r, P.cards.renewedBeforeExpiryShare)
          ? expDay - int(r, 5, 30)
          : expDay + int(r, P.cards.lateRenewalDays[0], P.cards.lateRenewalDays[1]);
        expiry += P.cards.validityYears * 365 * 86_400_000;
        if (from > runDays) break;
      }
    }
    const p: Person = {
      key,
      kind,
      firstName: pick(r, FIRST),
      lastName: pick(r, LAST),
      nationalId: card
        ? `81${String(pharmacyIdx).padStart(5, '0')}${String(n).padStart(5, '0')}`.slice(0, 12)
        : null,
      ecps: card && chance(r, P.cards.ecpsShare),
      mail: weighted(r, P.mail.behaviour),
      temperament: weighted(r, P.reaction.temperament),
      absent,
      workdays: new Set(workdays),
      hiredDay,
      leftDay,
      departure: leftDay === null ? null : chance(r, P.staff.revokeShare) ? 'revoke' : 'forget',
      cards,
      office: null,
      accounts: [],
      lastWeekSignedIn: -1e9,
      remembersKey: chance(r, P.unblock.rememberKeyShare),
      securityAnswers: {
        birth_date: `19${int(r, 55, 99)}-0${int(r, 1, 9)}-1${int(r, 0, 9)}`,
        practice_postal_code: pick(r, CITIES)[0],
        iban_last4: String(int(r, 1000, 9999)),
      },
    };
    W.people.push(p);
    return p;
  };

  const account = (
    ph: Pharmacy,
    owner: Person,
    kind: Account['kind'],
    grantedDay: number,
    extra: Partial<Account> = {},
  ): Account => {
    const n = W.accounts.length;
    const a: Account = {
      key: `a${n}`,
      id: null,
      pharmacy: ph,
      owner,
      kind,
      displayName: `${owner.firstName} ${owner.lastName}`,
      identifier: null,
      email: `${owner.key}.${ph.idx}@sim.vigie.invalid`,
      password: null,
      passwordSerial: 0,
      delegationId: null,
      securityKey: false,
      securityKeySet: false,
      cadence: null,
      cadenceName: kind === 'password_delegate' ? 'monthly' : 'weekly',
      needs: [],
      reactionDay: null,
      grantedDay,
      live: false,
      revoked: false,
      cycle: { since: cal.at(grantedDay, 8), deliveries: [], missed: [] },
      openBlock: null,
      letter: null,
      usedOn: new Set(),
      pendingAttack: null,
      attackedUntil: 0,
      ...extra,
    };
    owner.accounts.push(a);
    W.accounts.push(a);
    return a;
  };

  const needsFrom = (r: Rng, first: number, cadence: [number, number]) => {
    const out: number[] = [first];
    let d = first;
    while (d <= runDays) {
      d += Math.round(uniform(r, cadence[0], cadence[1]));
      out.push(d);
    }
    return out;
  };

  const hireStaff = (ph: Pharmacy, day: number) => {
    const s = person('staff', day, ph.idx);
    ph.staff.push(s);
    account(ph, s, 'card_delegate', day);
    if (s.leftDay !== null) {
      const next = s.leftDay + int(popRng, P.staff.replacementAfter[0], P.staff.replacementAfter[1]);
      if (next <= runDays) hireStaff(ph, next);
    }
  };

  const accountantPool: { p: Person; load: number; cap: number }[] = [];
  for (let i = 0; i < o.pharmacies; i++) {
    const [pc, city] = CITIES[i % CITIES.length]!;
    const ip = `10.${(i >> 8) & 255}.${i & 255}.10`;
    const holder = person('holder', cal.first, i);
    const ph: Pharmacy = {
      idx: i,
      id: null,
      name: `Pharmacie Sim ${i}`,
      finess: `9${String(i).padStart(8, '0')}`,
      amNumber: `8${String(i).padStart(8, '0')}`,
      address: { line1: `${i + 1} rue de la Simulation`, postalCode: pc, city },
      ip,
      holder,
      staff: [],
      admin: null,
      counters: [],
      backOffice: null as unknown as Workstation,
      toGrant: [],
      toRevoke: [],
    };
    const r = streamFor(seed, `pharmacy-${i}`);
    const nc = int(r, P.pharmacy.counters[0], P.pharmacy.counters[1]);
    for (let c = 0; c < nc; c++)
      ph.counters.push(ws(`ph${i}-c${c}`, `Comptoir ${c + 1}`, ip, r, P.workstations.replacedPerYear));
    ph.backOffice = ws(`ph${i}-bo`, 'Bureau', ip, r, P.workstations.replacedPerYear);
    account(ph, holder, 'holder', cal.first);
    const ns = int(r, P.pharmacy.staff[0], P.pharmacy.staff[1]);
    for (let s = 0; s < ns; s++) hireStaff(ph, cal.first);
    // Accountants: one account per pharmacy they serve.
    const na = int(r, P.pharmacy.accountants[0], P.pharmacy.accountants[1]);
    for (let k = 0; k < na; k++) {
      const reuse = accountantPool.filter(
        (x) => x.load < x.cap && !x.p.accounts.some((a) => a.pharmacy === ph),
      );
      let acc: { p: Person; load: number; cap: number };
      if (reuse.length > 0 && chance(popRng, P.accountants.reuseShare)) acc = pick(popRng, reuse);
      else {
        const p = person('accountant', cal.first, i);
        p.office = ws(
          `off-${p.key}`,
          `Cabinet ${p.lastName}`,
          `10.200.${accountantPool.length & 255}.${(accountantPool.length >> 8) + 1}`,
          streamFor(seed, `${p.key}-office`),
          P.accountants.officeReplacedPerYear,
        );
        acc = { p, load: 0, cap: int(popRng, 1, P.accountants.maxPharmacies) };
        accountantPool.push(acc);
        W.accountants.push(p);
      }
      acc.load++;
      const ar = streamFor(seed, `${acc.p.key}-${i}`);
      const cadenceName = weighted(ar, P.accountants.cadence);
      const cadence = P.accountants.cadenceDays[cadenceName];
      const first = -int(ar, 1, Math.min(-cal.first - 1, cadence[1]));
      account(ph, acc.p, 'password_delegate', cal.first, {
        identifier: `compta.${acc.p.key}.${i}`,
        cadence,
        cadenceName,
        needs: needsFrom(ar, first, cadence),
        securityKey: chance(ar, P.unblock.securityKeyShare),
      });
    }
    if (chance(r, P.pharmacy.adminShare)) {
      const adm = person('admin', cal.first, i);
      ph.admin = adm;
      const ar = streamFor(seed, `${adm.key}-needs`);
      account(ph, adm, 'password_delegate', cal.first, {
        identifier: `admin.${adm.key}.${i}`,
        cadence: P.admin.cadenceDays,
        cadenceName: 'monthly',
        needs: needsFrom(ar, -int(ar, 1, 30), P.admin.cadenceDays),
        securityKey: chance(ar, P.unblock.securityKeyShare),
      });
    }
    W.pharmacies.push(ph);
  }
  void randomUUID;
  return W;
}
