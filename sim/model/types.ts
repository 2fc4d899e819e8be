/** The simulated world: pharmacies, people, their accounts in the backend, and workstations. */
import type { SimCard } from '../pki';
import type { SimWorkstationPlanner } from './planner';

export type PersonKind = 'holder' | 'staff' | 'accountant' | 'admin';
export type MailBehaviour = 'daily' | 'weekly' | 'never';
export type Temperament = 'diligent' | 'casual' | 'careless';
export type Channel = 'app' | 'banner' | 'mail';
export type UnblockPath = 'card' | 'ecps' | 'security_key' | 'postal_code';

export interface Delivery {
  channel: Channel;
  days: number;
  at: Date;
  where: string;
}
/** Something that was shown or sent but not seen by the account's owner (for the stories). */
export interface Missed {
  channel: Channel;
  days: number;
  at: Date;
  why: string;
}

export interface Cycle {
  /** Start of this cycle: the last sign-in (or the creation). */
  since: Date;
  deliveries: Delivery[];
  missed: Missed[];
}

export interface BlockRecord {
  account: Account;
  at: Date;
  reason: 'inactivity' | 'suspicious';
  /** The reminders delivered before the block, and what was shown or sent but missed. */
  deliveries: Delivery[];
  missed: Missed[];
  /** When the owner first needed the account after the block (tried to sign in). */
  neededAt: Date | null;
  unblockedAt: Date | null;
  path: UnblockPath | null;
  /** The owner had left the pharmacy: nobody needs the account (the rule working). */
  ownerGone: boolean;
  /** Set when a stranger's attack was running against this account when it was blocked. */
  byStranger: boolean;
}

export interface Account {
  key: string;
  id: string | null;
  pharmacy: Pharmacy;
  owner: Person;
  kind: 'holder' | 'card_delegate' | 'password_delegate';
  displayName: string;
  identifier: string | null;
  email: string;
  password: string | null;
  passwordSerial: number;
  delegationId: string | null;
  /** Will record a security key at the first sign-in (invited to), and did. */
  securityKey: boolean;
  securityKeySet: boolean;
  /** Cadence of use (password delegates), days. */
  cadence: [number, number] | null;
  cadenceName: string;
  /** Exogenous need days (day indexes), consumed in order. */
  needs: number[];
  /** A sign-in the owner decided after a reminder (day index), if any. */
  reactionDay: number | null;
  /** Granted (day index) and, for staff who left, what happened to the delegation. */
  grantedDay: number;
  live: boolean;
  revoked: boolean;
  cycle: Cycle;
  openBlock: BlockRecord | null;
  /** Postal unblock in progress: the letter's reference and the day it arrives. */
  letter: { reference: string; arrivesDay: number } | null;
  /** Where the owner uses this account (workstation keys). */
  usedOn: Set<string>;
  /** A stranger's campaign waiting for the owner's next sign-in. */
  pendingAttack: import('./strangers').Campaign | null;
  /** Until when (ms) a refusal of the owner's sign-in would be a stranger's lock-out. */
  attackedUntil: number;
}

export interface Person {
  key: string;
  kind: PersonKind;
  firstName: string;
  lastName: string;
  nationalId: string | null;
  ecps: boolean;
  mail: MailBehaviour;
  temperament: Temperament;
  /** Per day index (offset by the warm-up): 0 present, 1 holiday, 2 long leave. */
  absent: Uint8Array;
  /** Weekdays worked (0 Sunday … 6 Saturday). */
  workdays: Set<number>;
  hiredDay: number;
  leftDay: number | null;
  departure: 'revoke' | 'forget' | null;
  /** Card generations: usable from `fromDay` until `notAfter`; issued lazily. */
  cards: { fromDay: number; notAfter: Date; card: SimCard | null; serial: string }[];
  office: Workstation | null;
  accounts: Account[];
  lastWeekSignedIn: number;
  /** Remembers the security key's answers. */
  remembersKey: boolean;
  securityAnswers: Record<string, string>;
}

export interface Workstation {
  key: string;
  id: string;
  label: string;
  ip: string;
  /** Per day index: out of order. */
  off: Set<number>;
  replacedDay: number | null;
  planner: SimWorkstationPlanner;
  session: { token: string; account: Account; until: number } | null;
  /** Who sits here today. */
  present: Set<Person>;
}

export interface Pharmacy {
  idx: number;
  id: string | null;
  name: string;
  finess: string;
  amNumber: string;
  address: { line1: string; postalCode: string; city: string };
  ip: string;
  holder: Person;
  staff: Person[];
  admin: Person | null;
  counters: Workstation[];
  backOffice: Workstation;
  /** Staff hired, waiting for the holder to grant their delegation; accounts to revoke. */
  toGrant: Account[];
  toRevoke: Account[];
}
