/**
 * The demo pharmacy's people, in one place: the seed (./seed.ts), the virtual cards (card-sim) and the
 * end-to-end tests import this. National ids use the test range 8997…; nothing here is a real person.
 * The demo password is public on purpose: it only ever opens the demo data.
 */
export const DEMO_PASSWORD = 'Tilleuls-Demo-2027!';

/** The security key of every demo password account (unblock wizard), public like the password; the date as a date field gives it. See ./signin-seed.ts. */
export const DEMO_SECURITY_KEY = {
  birth_date: '1979-07-14',
  practice_postal_code: '75011',
  iban_last4: '4821',
} as const;

export const DEMO_PHARMACY = {
  name: 'Pharmacie des Tilleuls (démo)',
  finess: '759999901',
  amNumber: '759999902',
  address: { line1: '12 rue des Tilleuls', postalCode: '75011', city: 'Paris' },
} as const;

export const DEMO_PEOPLE = {
  holder: {
    key: 'holder',
    kind: 'holder',
    displayName: 'Claire MARTIN',
    firstName: 'Claire',
    lastName: 'MARTIN',
    role: 'Pharmacien titulaire',
    nationalId: '899700012345',
    /** The holder also signs in with the pharmacy's Assurance Maladie number and a password. */
    identifier: DEMO_PHARMACY.amNumber,
    email: 'claire.martin.amelipro@demo.vigie.invalid',
    state: 'active',
  },
  employee: {
    key: 'employee',
    kind: 'card_delegate',
    displayName: 'Julien PETIT',
    firstName: 'Julien',
    lastName: 'PETIT',
    role: 'Pharmacien adjoint',
    nationalId: '899700067890',
    identifier: null,
    email: 'julien.petit.amelipro@demo.vigie.invalid',
    state: 'active',
  },
  accountantSoon: {
    key: 'accountantSoon',
    kind: 'password_delegate',
    displayName: 'Sophie BERNARD',
    firstName: 'Sophie',
    lastName: 'BERNARD',
    role: 'Comptable',
    nationalId: null,
    identifier: 'sophie.bernard',
    email: 'sophie.bernard.compta@demo.vigie.invalid',
    /** Five days before the block date when seeded. */
    daysBeforeBlock: 5,
    state: 'active',
  },
  accountantBlocked: {
    key: 'accountantBlocked',
    kind: 'password_delegate',
    displayName: 'Marc LEROY',
    firstName: 'Marc',
    lastName: 'LEROY',
    role: 'Comptable',
    nationalId: null,
    identifier: 'marc.leroy',
    email: 'marc.leroy.compta@demo.vigie.invalid',
    state: 'blocked',
    blockReason: 'inactivity',
  },
  suspicious: {
    key: 'suspicious',
    kind: 'password_delegate',
    displayName: 'Nadia GARCIA',
    firstName: 'Nadia',
    lastName: 'GARCIA',
    role: 'Personnel administratif',
    nationalId: null,
    identifier: 'nadia.garcia',
    email: 'nadia.garcia.admin@demo.vigie.invalid',
    state: 'blocked',
    blockReason: 'suspicious',
    explanation: "Connexions depuis un pays où la pharmacie n'a pas d'activité, hors des heures d'ouverture.",
  },
} as const;

export type DemoPersonKey = keyof typeof DEMO_PEOPLE;

/** Workstations seen in the demo events. */
export const DEMO_WORKSTATIONS = [
  { id: '6f1c2a0e-0000-4000-8000-000000000001', label: 'Comptoir 1' },
  { id: '6f1c2a0e-0000-4000-8000-000000000002', label: 'Comptoir 2' },
  { id: '6f1c2a0e-0000-4000-8000-000000000003', label: 'Bureau' },
] as const;
