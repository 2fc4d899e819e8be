import type { VigieHandlers } from '../../domain/api/renderer-api';

/**
 * The stand-in core's data: what the screens show, typed from the answers of the renderer API (what a handler may
 * return), so that a schema change breaks it at compile time.
 */
type Group = keyof VigieHandlers;
/** What the handler of `group.key` returns (the input type of its answer schema). */
export type Answer<G extends Group, K extends keyof VigieHandlers[G]> = VigieHandlers[G][K] extends (
  ...a: never[]
) => infer R
  ? Awaited<R>
  : never;

export type SessionState = Answer<'session', 'getState'>;
export type CardState = Answer<'card', 'getState'>;
export type AccountStatus = Answer<'accounts', 'listPharmacy'>['accounts'][number];
export type Reminder = Answer<'reminders', 'list'>['reminders'][number];
export type HistoryEvent = Answer<'events', 'list'>['events'][number];
export type PostalState = Answer<'unblock', 'postalState'>;
export type ReportCase = Answer<'events', 'listCases'>['cases'][number];

export const DAY = 86_400_000;
export const iso = (ms: number) => new Date(ms).toISOString();
export const now = Date.now();
export const PHARMACY = {
  id: '11111111-1111-4111-8111-111111111111',
  name: 'Pharmacie du Marché',
  finess: '750000001',
};

export function account(
  id: string,
  displayName: string,
  kind: AccountStatus['kind'],
  daysLeft: number,
  method: NonNullable<AccountStatus['lastActivity']>['method'],
  blocked = false,
) {
  const blockAt = now + daysLeft * DAY;
  const lastAt = blockAt - 183 * DAY;
  return {
    accountId: id,
    kind,
    displayName,
    state: blocked ? 'blocked' : 'active',
    reason: blocked ? 'inactivity' : null,
    explanation: blocked ? 'Aucune connexion depuis plus de 6 mois.' : null,
    blockAt: iso(blockAt),
    daysLeft,
    nextReminderAt: null,
    nextReminderDays: null,
    lastActivity: { at: iso(lastAt), method, workstationId: 'ws-1', workstationLabel: 'Comptoir 1' },
    createdAt: iso(lastAt - 400 * DAY),
    unblockPaths: blocked ? ['card', 'security_key', 'postal_code'] : [],
    passwordExpiresAt: kind === 'password_delegate' ? iso(now + 20 * DAY) : null,
  } satisfies AccountStatus;
}

export const ACCOUNTS: AccountStatus[] = [
  account('aaaaaaaa-0000-4000-8000-000000000001', 'Claire Martin', 'holder', 143, 'card'),
  {
    ...account(
      'aaaaaaaa-0000-4000-8000-000000000002',
      'Cabinet Dupont (comptable)',
      'password_delegate',
      5,
      'password',
    ),
    // reported an activity: its password is withdrawn, the holder may give a fresh start
    passwordWithdrawn: true,
    // its end of contract is in 6 days
    delegationEndsOn: iso(now + 6 * DAY).slice(0, 10),
  },
  {
    ...account('aaaaaaaa-0000-4000-8000-000000000003', 'Julien Petit', 'card_delegate', 24, 'card'),
    // his card ends in 45 days
    cardNotAfter: iso(now + 45 * DAY),
  },
  account('aaaaaaaa-0000-4000-8000-000000000004', 'Sophie Bernard', 'card_delegate', -12, 'card', true),
];

const TYPES = [
  'sign_in',
  'sign_in',
  'sign_in',
  'sign_out',
  'sign_in_failed',
  'password_changed',
  'reminder_sent',
] as const;
export function makeEvents(n: number): HistoryEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const type = TYPES[i % TYPES.length]!;
    return {
      id: n - i,
      accountId: ACCOUNTS[0]!.accountId,
      seq: n - i,
      at: iso(now - i * 3.7 * 3600_000),
      type,
      method: type === 'reminder_sent' ? 'system' : i % 5 === 0 ? 'password' : 'card',
      outcome: type === 'sign_in_failed' ? 'failure' : type === 'reminder_sent' ? 'info' : 'success',
      workstationId: `ws-${(i % 3) + 1}`,
      workstationLabel: `Comptoir ${(i % 3) + 1}`,
      ip: '192.168.1.20',
      appVersion: '0.1.0',
      cardSerial: i % 5 === 0 ? null : '80250000123',
      details: {},
    };
  });
}

const user = {
  accountId: ACCOUNTS[0]!.accountId,
  displayName: 'Claire Martin',
  kind: 'holder',
  pharmacyName: PHARMACY.name,
  method: 'card',
} satisfies SessionState['user'];
export const SIGNED_IN = {
  status: 'signed-in',
  user,
  endedBecause: null,
  idleExpiresAt: iso(now + 3600_000),
  absoluteExpiresAt: iso(now + 4 * 3600_000),
  passwordChangeRequired: false,
  factorGrace: null,
  remember: { available: true, reason: null, active: false },
} satisfies SessionState;
export const SIGNED_OUT = {
  status: 'signed-out',
  user: null,
  endedBecause: null,
  idleExpiresAt: null,
  absoluteExpiresAt: null,
  passwordChangeRequired: false,
  factorGrace: null,
  remember: { available: true, reason: null, active: false },
} satisfies SessionState;

export function cardState(status: CardState['status'], tries: number | null = 3): CardState {
  return {
    status,
    readers: [
      {
        name: 'Lecteur bi-fente CPS',
        slot: status === 'present' ? 'present' : 'empty',
        card:
          status === 'present'
            ? {
                kind: 'cps3',
                atr: '3B',
                serial: '80250000123',
                holder: {
                  nationalId: '810001234567',
                  lastName: 'MARTIN',
                  firstName: 'Claire',
                  profession: 'Pharmacien',
                },
                // the card ends in 20 days: the dashboard reminds her
                certNotAfter: iso(now + 20 * DAY),
              }
            : undefined,
      },
    ],
    activeReader: 'Lecteur bi-fente CPS',
    pinTriesLeft: status === 'present' ? tries : null,
    updatedAt: iso(now),
  };
}

export function reminder(a: AccountStatus): Reminder {
  const d = a.daysLeft;
  const urgency =
    a.state === 'blocked' ? 'blocked' : d <= 1 ? 'd1' : d <= 7 ? 'd7' : d <= 30 ? 'd30' : 'active';
  return {
    accountId: a.accountId,
    displayName: a.displayName,
    urgency,
    blockAt: a.blockAt,
    daysLeft: d,
    stale: false,
    checkedAt: iso(now),
    snoozedUntil: null,
  };
}

export const NO_LETTER: PostalState = {
  status: 'none',
  requestedAt: null,
  printedAt: null,
  expectedBy: null,
  expiresAt: null,
  nextRequestAt: null,
  reference: null,
};

/** What the stand-in core answers from; a spec sets it before the page loads, or moves it with events. */
export interface FakeState {
  language: 'fr' | 'en';
  demo: boolean;
  session: SessionState;
  card: CardState;
  pinTries: number;
  reminders: Reminder[];
  events: HistoryEvent[];
  postal: PostalState;
  cases: ReportCase[];
  /** Channels answered UNAVAILABLE, to show error states. */
  unavailable: Set<string>;
}

export function initialState(): FakeState {
  return {
    language: 'fr',
    demo: true,
    session: SIGNED_OUT,
    card: cardState('present'),
    pinTries: 3,
    reminders: [],
    events: makeEvents(480),
    postal: NO_LETTER,
    cases: [],
    unavailable: new Set(),
  };
}

type Workstation = Answer<'accounts', 'listWorkstations'>['workstations'][number];
/** A workstation of the pharmacy, first seen `firstSeenDays` ago and last seen `lastSeenMs` ago. */
const workstation = (
  n: number,
  label: string,
  ages: { firstSeenDays: number; lastSeenMs: number; revokedDays?: number },
  lastUsedBy: string,
  openSessions = 0,
): Workstation => ({
  id: `bbbbbbbb-0000-4000-8000-00000000000${n}`,
  label,
  firstSeenAt: iso(now - ages.firstSeenDays * DAY),
  lastSeenAt: iso(now - ages.lastSeenMs),
  registeredAt: ages.revokedDays === undefined ? iso(now - ages.firstSeenDays * DAY) : null,
  revokedAt: ages.revokedDays === undefined ? null : iso(now - ages.revokedDays * DAY),
  lastUsedBy,
  openSessions,
  current: n === 1,
});

export const WORKSTATIONS: Workstation[] = [
  workstation(1, 'Comptoir 1', { firstSeenDays: 200, lastSeenMs: 600_000 }, 'Claire Martin', 1),
  workstation(2, 'Comptoir 2', { firstSeenDays: 150, lastSeenMs: 2 * DAY }, 'Julien Petit'),
  workstation(
    3,
    'Ancien poste bureau',
    { firstSeenDays: 400, lastSeenMs: 90 * DAY, revokedDays: 30 },
    'Sophie Bernard',
  ),
];

export const DEMO_PEOPLE: Answer<'demo', 'people'>['people'] = [
  {
    id: 'claire',
    displayName: 'Claire Martin',
    role: 'titulaire',
    situation: 'active, bloquée dans 143 jours',
    hasCard: true,
    identifier: null,
    password: null,
  },
  {
    id: 'dupont',
    displayName: 'Cabinet Dupont',
    role: 'comptable',
    situation: 'bloqué dans 5 jours',
    hasCard: false,
    identifier: 'dupont.compta',
    password: 'Demo-Compta-2026!',
  },
  {
    id: 'sophie',
    displayName: 'Sophie Bernard',
    role: 'préparatrice',
    situation: 'bloquée pour inactivité',
    hasCard: true,
    identifier: null,
    password: null,
  },
];
