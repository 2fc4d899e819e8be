import type { VigieHandlers } from '../../domain/api/renderer-api';
import { AppError } from '../../domain/result';
import {
  ACCOUNTS,
  DAY,
  DEMO_PEOPLE,
  cardState,
  iso,
  now,
  SIGNED_IN,
  SIGNED_OUT,
  WORKSTATIONS,
  type CardState,
  type FakeState,
  type SessionState,
} from './data';

/** What the handlers move: the state, and the session and card, which the renderer also hears as events. */
export interface FakeCoreState {
  readonly state: FakeState;
  setSession(s: SessionState): void;
  setCard(c: CardState): void;
}

/** An answer the real core gives as an error: thrown, the dispatcher turns it into `{ ok: false, code }`. */
const fail = (
  code: 'CARD_PIN_BLOCKED' | 'CARD_PIN_WRONG' | 'INVALID_CREDENTIALS' | 'SECURITY_KEY_NOT_ALLOWED',
) => {
  throw new AppError(code, code);
};

const passwordCheck = ({ password }: { password: string }) => {
  const score = Math.min(4, Math.floor(password.length / 4));
  const problems = password.length < 12 ? ['too_short' as const] : [];
  return { acceptable: problems.length === 0 && score >= 3, problems, score, warning: null, suggestions: [] };
};

/**
 * The stand-in core's answers: the same type as the real core's handlers (../../electron/core/handlers), so the
 * real dispatcher serves them, checking requests and answers against the schema.
 */
export function fakeHandlers(core: FakeCoreState): VigieHandlers {
  const s = core.state;
  // The pharmacy's second factor: the accountant enrolled an app; the grace ends in 12 days, not yet extended.
  const dupont = ACCOUNTS.find((a) => a.kind === 'password_delegate')!;
  let dupontFactor: { kind: 'totp' | null; enrolledAt: string | null } = {
    kind: 'totp',
    enrolledAt: iso(now - 20 * DAY),
  };
  let grace = { graceEndsAt: iso(now + 12 * DAY), extendable: true };
  const settings = () => ({
    language: s.language,
    backendUrl: '',
    readerName: '',
    reminderDays: [30, 7, 1],
    startAtLogin: true,
    workstationLabel: 'Comptoir 1',
  });
  return {
    app: {
      getInfo: () => ({
        name: 'Vigie',
        version: '0.1.0',
        mode: 'browser',
        demo: s.demo,
        versions: { node: '20' },
        language: s.language,
      }),
      setLanguage: ({ language }) => {
        s.language = language;
        return { language };
      },
    },
    backend: {
      getStatus: () => ({
        reachable: true,
        mode: 'embedded',
        address: '127.0.0.1:8443',
        checkedAt: iso(now),
      }),
    },
    card: {
      getState: () => s.card,
      readHolder: () => unavailable(),
      verifyPinAndSignIn: ({ pin }) => {
        if (s.pinTries === 0) return fail('CARD_PIN_BLOCKED');
        if (pin !== '1234') {
          s.pinTries -= 1;
          core.setCard(cardState('present', s.pinTries));
          return fail(s.pinTries === 0 ? 'CARD_PIN_BLOCKED' : 'CARD_PIN_WRONG');
        }
        core.setSession(SIGNED_IN);
        return { status: 'signed-in', session: SIGNED_IN };
      },
      unblockPin: () => {
        s.pinTries = 3;
        core.setCard(cardState('present', 3));
        return { pinTriesLeft: 3 };
      },
    },
    session: {
      getState: () => s.session,
      signInWithPassword: ({ identifier }) => {
        if (identifier === 'double.facteur')
          return {
            status: 'second-step',
            purpose: 'verify',
            methods: ['totp', 'recovery'],
            mailTo: 'd•••@example.fr',
            expiresAt: iso(now + 15 * 60_000),
          };
        if (identifier !== 'bloque.compta') return fail('INVALID_CREDENTIALS');
        return {
          status: 'blocked',
          reason: 'inactivity',
          explanation: 'Aucune connexion depuis plus de 6 mois.',
          unblockPaths: ['security_key', 'postal_code'],
          identifier: 'bloque.compta',
        };
      },
      startEcps: () => ({ status: 'pending', bindingMessage: 'VIGIE-4821', expiresAt: iso(now + 120_000) }),
      cancelEcps: () => ({ status: 'cancelled', bindingMessage: null, expiresAt: null }),
      signOut: () => {
        core.setSession({ ...SIGNED_OUT, endedBecause: 'sign-out' });
        return s.session;
      },
      touch: () => ({ idleExpiresAt: iso(Date.now() + 3600_000) }),
      sendFactorCode: () => ({
        mailTo: 'd•••@example.fr',
        expiresAt: iso(now + 600_000),
        nextAt: iso(now + 60_000),
      }),
      submitSecondFactor: ({ code }) => {
        if (code !== '123456') return fail('INVALID_CREDENTIALS');
        core.setSession(SIGNED_IN);
        return { status: 'signed-in', session: SIGNED_IN };
      },
      startTotpEnrolment: () => unavailable(),
      confirmEnrolment: () => unavailable(),
      finishEnrolment: () => unavailable(),
      startEnrolment: () => unavailable(),
      changePassword: () => s.session,
      checkPassword: passwordCheck,
    },
    accounts: {
      getMine: () => ({
        status: ACCOUNTS[0]!,
        email: 'officine.amelipro@example.fr',
        security: [
          { id: 'dedicated-mailbox', status: 'ok', detail: null },
          { id: 'password-fresh', status: 'todo', detail: null },
          { id: 'credentials-not-shared', status: 'ok', detail: null },
          { id: 'events-reviewed', status: 'todo', detail: null },
        ],
        fetchedAt: iso(now),
        stale: false,
      }),
      listPharmacy: () => ({ accounts: ACCOUNTS }),
      grantDelegation: () => ({ accountId: 'aaaaaaaa-0000-4000-8000-000000000009' }),
      revokeDelegation: () => ({ revoked: true }),
      setDelegationEnd: ({ endsOn }) => ({ endsOn }),
      listWorkstations: () => ({ workstations: WORKSTATIONS }),
      revokeWorkstation: () => unavailable(),
      freshStart: () => ({
        sentAt: iso(now),
        expiresAt: iso(now + 2 * DAY),
        sentTo: 's•••@demo.vigie.invalid',
      }),
      setSecurityKey: ({ currentPassword }) => {
        if (currentPassword === 'faux') return fail('INVALID_CREDENTIALS');
        return { setAt: iso(now) };
      },
      pharmacyFactors: () => ({
        grace,
        inGrace: true,
        delegates: [{ accountId: dupont.accountId, ...dupontFactor }],
      }),
      resetDelegateFactor: () => {
        dupontFactor = { kind: null, enrolledAt: null };
        return { reset: true as const };
      },
      extendFactorGrace: () => {
        if (!grace.extendable) throw new AppError('CONFLICT', 'already extended');
        grace = { graceEndsAt: iso(new Date(grace.graceEndsAt).getTime() + 30 * DAY), extendable: false };
        return grace;
      },
    },
    events: {
      list: ({ filters, cursor, limit }) => {
        const f = filters ?? {};
        const list = s.events.filter(
          (e) =>
            (!f.outcome || e.outcome === f.outcome) &&
            (!f.type || e.type === f.type) &&
            (!f.method || e.method === f.method),
        );
        const start = cursor ? Number(cursor) : 0;
        const n = limit ?? 100;
        return {
          events: list.slice(start, start + n),
          nextCursor: start + n < list.length ? String(start + n) : null,
        };
      },
      weekly: () => ({
        weeks: Array.from({ length: 12 }, (_, i) => ({
          weekStart: iso(now - (11 - i) * 7 * DAY),
          success: 18 + ((i * 7) % 9),
          failure: i === 9 ? 14 : i % 4,
        })),
      }),
      verify: () => ({
        accountId: ACCOUNTS[0]!.accountId,
        ok: true,
        checked: s.events.length,
        anchorSeq: 0,
        firstBad: null,
      }),
      exportCsv: () => ({ filename: 'vigie-evenements.csv', csv: 'date;type\n' }),
      report: ({ eventId }) => {
        const at = iso(Date.now());
        const c = {
          id: 'case-1',
          eventId,
          openedAt: at,
          status: 'secured',
          steps: [
            { status: 'received', at, note: '' },
            { status: 'secured', at, note: '' },
          ],
          actions: ['sessions-revoked', 'password-change-required'],
          advice:
            'Changez votre mot de passe et vérifiez les délégations. Le délégué numérique de votre CPAM peut vous aider.',
        } satisfies FakeState['cases'][number];
        s.cases = [c];
        return c;
      },
      listCases: () => ({ cases: s.cases }),
      markReviewed: () => ({ reviewedAt: iso(Date.now()) }),
    },
    unblock: {
      eligibility: () => ({ paths: ['security_key', 'postal_code'], securityKeyTriesLeft: 3 }),
      securityKeyQuestions: () => ({
        questions: [
          { id: 'birth_date', kind: 'date' },
          { id: 'practice_postal_code', kind: 'postal-code' },
          { id: 'iban_last4', kind: 'digits', length: 4 },
        ],
      }),
      submitSecurityKey: ({ identifier }) => {
        // an account blocked after its owner's report: the right key is not enough there
        if (identifier === 'apres.signalement') return fail('SECURITY_KEY_NOT_ALLOWED');
        return { ticket: 't-1', expiresAt: iso(Date.now() + 600_000) };
      },
      postalState: () => s.postal,
      requestPostalCode: () => {
        s.postal = {
          status: 'in-post',
          requestedAt: iso(now),
          printedAt: iso(now + 3600_000),
          expectedBy: iso(now + 3 * DAY),
          expiresAt: iso(now + 10 * DAY),
          nextRequestAt: iso(now + 2 * DAY),
          reference: 'VG-2026-0042',
        };
        return s.postal;
      },
      submitPostalCode: () => ({ ticket: 't-2', expiresAt: iso(Date.now() + 600_000) }),
      checkPassword: passwordCheck,
      redeemFreshStart: ({ code }) => {
        if (code !== 'ABCD-EFGH-JKMN') return fail('INVALID_CREDENTIALS');
        return { passwordSet: true };
      },
      setNewPassword: () => ({ unblocked: true }),
    },
    reminders: {
      list: () => ({ reminders: s.reminders }),
      snooze: () => ({ snoozedUntil: iso(Date.now() + 4 * 3600_000) }),
    },
    settings: {
      get: settings,
      update: (req) => ({ ...settings(), ...req }),
      workstation: () => ({
        id: 'bbbbbbbb-0000-4000-8000-000000000001',
        label: 'Comptoir 1',
        keychain: { available: true, reason: null },
        hasKey: true,
        registeredAt: iso(now - 200 * DAY),
        labelPending: false,
        revokedAt: null,
      }),
      diagnostics: () => ({ text: 'Vigie 0.1.0\nreaders: 1' }),
    },
    demo: {
      people: () => ({ available: true, people: DEMO_PEOPLE }),
      insertCard: () => {
        core.setCard(cardState('present', s.pinTries));
        return { inserted: true };
      },
      removeCard: () => {
        core.setCard(cardState('empty'));
        return { removed: true };
      },
      answerEcps: () => ({ answered: true }),
      advanceClock: () => unavailable(),
      lastLetter: () => ({ reference: 'VG-2026-0042', code: 'K7P2-9QXM', pdfBase64: '' }),
      mailbox: () => unavailable(),
    },
  };
}

/** What the stand-in does not play: answered as a capability that is not there. */
function unavailable(): never {
  throw new AppError('UNAVAILABLE', 'UNAVAILABLE');
}
