import type { Page, WebSocketRoute } from '@playwright/test';

/**
 * A stand-in for the workstation core, behind the renderer's own WebSocket (Playwright `routeWebSocket`).
 * It lets the screens be walked, checked with axe and photographed in both languages while the real core
 * capabilities are still being wired. Story specs (`*.story.spec.ts`) use the real core and skip with a reason
 * until it answers.
 */
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const now = Date.now();
const PHARMACY = {
  id: '11111111-1111-4111-8111-111111111111',
  name: 'Pharmacie du Marché',
  finess: '750000001',
};

export function account(
  id: string,
  displayName: string,
  kind: 'holder' | 'card_delegate' | 'password_delegate',
  daysLeft: number,
  method: string,
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
  };
}

export const ACCOUNTS = [
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
  },
  account('aaaaaaaa-0000-4000-8000-000000000003', 'Julien Petit', 'card_delegate', 24, 'card'),
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
export function makeEvents(n: number) {
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

type Json = Record<string, unknown>;
export interface FakeState {
  language: 'fr' | 'en';
  demo: boolean;
  session: Json;
  card: Json;
  pinTries: number;
  reminders: Json[];
  events: Json[];
  postal: Json;
  cases: Json[];
  /** Channels answered UNAVAILABLE, to show error states. */
  unavailable: Set<string>;
}

const user = {
  accountId: ACCOUNTS[0]!.accountId,
  displayName: 'Claire Martin',
  kind: 'holder',
  pharmacyName: PHARMACY.name,
  method: 'card',
};
export const SIGNED_IN = {
  status: 'signed-in',
  user,
  endedBecause: null,
  idleExpiresAt: iso(now + 3600_000),
  absoluteExpiresAt: iso(now + 4 * 3600_000),
  passwordChangeRequired: false,
  remember: { available: true, reason: null, active: false },
};
export const SIGNED_OUT = {
  status: 'signed-out',
  user: null,
  endedBecause: null,
  idleExpiresAt: null,
  absoluteExpiresAt: null,
  passwordChangeRequired: false,
  remember: { available: true, reason: null, active: false },
};

export function cardState(status: string, tries: number | null = 3) {
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
              }
            : undefined,
      },
    ],
    activeReader: 'Lecteur bi-fente CPS',
    pinTriesLeft: status === 'present' ? tries : null,
    updatedAt: iso(now),
  };
}

export function reminder(a: ReturnType<typeof account>) {
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

export class FakeCore {
  state: FakeState = {
    language: 'fr',
    demo: true,
    session: SIGNED_OUT,
    card: cardState('present'),
    pinTries: 3,
    reminders: [],
    events: makeEvents(480),
    postal: {
      status: 'none',
      requestedAt: null,
      printedAt: null,
      expectedBy: null,
      expiresAt: null,
      nextRequestAt: null,
      reference: null,
    },
    cases: [],
    unavailable: new Set(),
  };
  private sockets = new Set<WebSocketRoute>();

  async attach(page: Page) {
    await page.routeWebSocket(/\/api/, (ws) => {
      this.sockets.add(ws);
      ws.onClose(() => this.sockets.delete(ws));
      ws.onMessage((m) => {
        const msg = JSON.parse(String(m)) as { t: string; id?: number; ch: string; req?: Json };
        if (msg.t !== 'call') return;
        const res = this.state.unavailable.has(msg.ch)
          ? { ok: false, code: 'UNAVAILABLE', message: 'not wired' }
          : this.handle(msg.ch, msg.req ?? {});
        ws.send(JSON.stringify({ t: 'result', id: msg.id, res }));
      });
    });
  }

  emit(ch: string, payload: unknown) {
    for (const ws of this.sockets) ws.send(JSON.stringify({ t: 'event', ch, payload }));
  }
  setSession(s: Json) {
    this.state.session = s;
    this.emit('session.state', s);
  }
  setCard(c: Json) {
    this.state.card = c;
    this.emit('card.state', c);
  }

  private ok(value: unknown) {
    return { ok: true, value };
  }
  private err(code: string) {
    return { ok: false, code, message: code };
  }
  private settings() {
    return {
      language: this.state.language,
      backendUrl: '',
      readerName: '',
      reminderDays: [30, 7, 1],
      startAtLogin: true,
      workstationLabel: 'Comptoir 1',
    };
  }

  handle(ch: string, req: Json): unknown {
    const s = this.state;
    switch (ch) {
      case 'app.getInfo':
        return this.ok({
          name: 'Vigie',
          version: '0.1.0',
          mode: 'browser',
          demo: s.demo,
          versions: { node: '20' },
          language: s.language,
        });
      case 'app.setLanguage':
        s.language = req.language as 'fr' | 'en';
        return this.ok({ language: s.language });
      case 'backend.getStatus':
        return this.ok({ reachable: true, mode: 'embedded', address: '127.0.0.1:8443', checkedAt: iso(now) });
      case 'card.getState':
        return this.ok(s.card);
      case 'card.verifyPinAndSignIn': {
        if (s.pinTries === 0) return this.err('CARD_PIN_BLOCKED');
        if (req.pin !== '1234') {
          s.pinTries -= 1;
          this.setCard(cardState('present', s.pinTries));
          return this.err(s.pinTries === 0 ? 'CARD_PIN_BLOCKED' : 'CARD_PIN_WRONG');
        }
        this.setSession(SIGNED_IN);
        return this.ok({ status: 'signed-in', session: SIGNED_IN });
      }
      case 'card.unblockPin':
        s.pinTries = 3;
        this.setCard(cardState('present', 3));
        return this.ok({ pinTriesLeft: 3 });
      case 'session.getState':
        return this.ok(s.session);
      case 'session.signInWithPassword':
        if (req.identifier === 'bloque.compta') {
          return this.ok({
            status: 'blocked',
            reason: 'inactivity',
            explanation: 'Aucune connexion depuis plus de 6 mois.',
            unblockPaths: ['security_key', 'postal_code'],
            identifier: 'bloque.compta',
          });
        }
        return this.err('INVALID_CREDENTIALS');
      case 'session.startEcps':
        return this.ok({ status: 'pending', bindingMessage: 'VIGIE-4821', expiresAt: iso(now + 120_000) });
      case 'session.cancelEcps':
        return this.ok({ status: 'cancelled', bindingMessage: null, expiresAt: null });
      case 'session.signOut':
        this.setSession({ ...SIGNED_OUT, endedBecause: 'sign-out' });
        return this.ok(s.session);
      case 'session.touch':
        return this.ok({ idleExpiresAt: iso(Date.now() + 3600_000) });
      case 'session.checkPassword':
      case 'unblock.checkPassword': {
        const pw = String(req.password ?? '');
        const score = Math.min(4, Math.floor(pw.length / 4));
        const problems = pw.length < 12 ? ['too_short'] : [];
        return this.ok({
          acceptable: problems.length === 0 && score >= 3,
          problems,
          score,
          warning: null,
          suggestions: [],
        });
      }
      case 'session.changePassword':
        return this.ok(s.session);
      case 'accounts.getMine':
        return this.ok({
          status: ACCOUNTS[0],
          email: 'officine.amelipro@example.fr',
          security: [
            { id: 'dedicated-mailbox', status: 'ok', detail: null },
            { id: 'password-fresh', status: 'todo', detail: null },
            { id: 'credentials-not-shared', status: 'ok', detail: null },
            { id: 'events-reviewed', status: 'todo', detail: null },
          ],
          fetchedAt: iso(now),
          stale: false,
        });
      case 'accounts.listPharmacy':
        return this.ok({ accounts: ACCOUNTS });
      case 'accounts.grantDelegation':
        return this.ok({ accountId: 'aaaaaaaa-0000-4000-8000-000000000009' });
      case 'accounts.revokeDelegation':
        return this.ok({ revoked: true });
      case 'accounts.listWorkstations':
        return this.ok({
          workstations: [
            {
              id: 'bbbbbbbb-0000-4000-8000-000000000001',
              label: 'Comptoir 1',
              firstSeenAt: iso(now - 200 * 86_400_000),
              lastSeenAt: iso(now - 600_000),
              registeredAt: iso(now - 200 * 86_400_000),
              revokedAt: null,
              lastUsedBy: 'Claire Martin',
              openSessions: 1,
              current: true,
            },
            {
              id: 'bbbbbbbb-0000-4000-8000-000000000002',
              label: 'Comptoir 2',
              firstSeenAt: iso(now - 150 * 86_400_000),
              lastSeenAt: iso(now - 2 * 86_400_000),
              registeredAt: iso(now - 150 * 86_400_000),
              revokedAt: null,
              lastUsedBy: 'Julien Petit',
              openSessions: 0,
              current: false,
            },
            {
              id: 'bbbbbbbb-0000-4000-8000-000000000003',
              label: 'Ancien poste bureau',
              firstSeenAt: iso(now - 400 * 86_400_000),
              lastSeenAt: iso(now - 90 * 86_400_000),
              registeredAt: null,
              revokedAt: iso(now - 30 * 86_400_000),
              lastUsedBy: 'Sophie Bernard',
              openSessions: 0,
              current: false,
            },
          ],
        });
      case 'events.list': {
        const f = (req.filters ?? {}) as Json;
        const list = s.events.filter(
          (e) =>
            (!f.outcome || e.outcome === f.outcome) &&
            (!f.type || e.type === f.type) &&
            (!f.method || e.method === f.method),
        );
        const start = req.cursor ? Number(req.cursor) : 0;
        const limit = Number(req.limit ?? 100);
        const page = list.slice(start, start + limit);
        return this.ok({
          events: page,
          nextCursor: start + limit < list.length ? String(start + limit) : null,
        });
      }
      case 'events.weekly': {
        const weeks = Array.from({ length: 12 }, (_, i) => ({
          weekStart: iso(now - (11 - i) * 7 * DAY),
          success: 18 + ((i * 7) % 9),
          failure: i === 9 ? 14 : i % 4,
        }));
        return this.ok({ weeks });
      }
      case 'events.verify':
        return this.ok({
          accountId: ACCOUNTS[0]!.accountId,
          ok: true,
          checked: s.events.length,
          anchorSeq: 0,
          firstBad: null,
        });
      case 'events.exportCsv':
        return this.ok({ filename: 'vigie-evenements.csv', csv: 'date;type\n' });
      case 'events.report': {
        const c = {
          id: 'case-1',
          eventId: req.eventId,
          openedAt: iso(Date.now()),
          status: 'secured',
          steps: [
            { status: 'received', at: iso(Date.now()), note: '' },
            { status: 'secured', at: iso(Date.now()), note: '' },
          ],
          actions: ['sessions-revoked', 'password-change-required'],
          advice:
            'Changez votre mot de passe et vérifiez les délégations. Le délégué numérique de votre CPAM peut vous aider.',
        };
        s.cases = [c];
        return this.ok(c);
      }
      case 'events.listCases':
        return this.ok({ cases: s.cases });
      case 'events.markReviewed':
        return this.ok({ reviewedAt: iso(Date.now()) });
      case 'unblock.eligibility':
        return this.ok({ paths: ['security_key', 'postal_code'], securityKeyTriesLeft: 3 });
      case 'unblock.securityKeyQuestions':
        return this.ok({
          questions: [
            { id: 'birth_date', kind: 'date' },
            { id: 'practice_postal_code', kind: 'postal-code' },
            { id: 'iban_last4', kind: 'digits', length: 4 },
          ],
        });
      case 'unblock.submitSecurityKey':
        // an account blocked after its owner's report: the right key is not enough there
        if ((req as { identifier?: string }).identifier === 'apres.signalement')
          return this.err('SECURITY_KEY_NOT_ALLOWED');
        return this.ok({ ticket: 't-1', expiresAt: iso(Date.now() + 600_000) });
      case 'unblock.postalState':
        return this.ok(s.postal);
      case 'unblock.requestPostalCode':
        s.postal = {
          status: 'in-post',
          requestedAt: iso(now),
          printedAt: iso(now + 3600_000),
          expectedBy: iso(now + 3 * DAY),
          expiresAt: iso(now + 10 * DAY),
          nextRequestAt: iso(now + 2 * DAY),
          reference: 'VG-2026-0042',
        };
        return this.ok(s.postal);
      case 'unblock.submitPostalCode':
        return this.ok({ ticket: 't-2', expiresAt: iso(Date.now() + 600_000) });
      case 'unblock.redeemFreshStart':
        if ((req as { code?: string }).code !== 'ABCD-EFGH-JKMN') return this.err('INVALID_CREDENTIALS');
        return this.ok({ passwordSet: true });
      case 'accounts.freshStart':
        return this.ok({
          sentAt: iso(now),
          expiresAt: iso(now + 2 * DAY),
          sentTo: 's•••@demo.vigie.invalid',
        });
      case 'accounts.setSecurityKey':
        if ((req as { currentPassword?: string }).currentPassword === 'faux')
          return this.err('INVALID_CREDENTIALS');
        return this.ok({ setAt: iso(now) });
      case 'unblock.setNewPassword':
        return this.ok({ unblocked: true });
      case 'reminders.list':
        return this.ok({ reminders: s.reminders });
      case 'reminders.snooze':
        return this.ok({ snoozedUntil: iso(Date.now() + 4 * 3600_000) });
      case 'settings.get':
        return this.ok(this.settings());
      case 'settings.update':
        return this.ok({ ...this.settings(), ...req });
      case 'settings.workstation':
        return this.ok({
          id: 'bbbbbbbb-0000-4000-8000-000000000001',
          label: 'Comptoir 1',
          keychain: { available: true, reason: null },
          hasKey: true,
          registeredAt: iso(now - 200 * 86_400_000),
          labelPending: false,
          revokedAt: null,
        });
      case 'settings.diagnostics':
        return this.ok({ text: 'Vigie 0.1.0\nreaders: 1' });
      case 'demo.people':
        return this.ok({
          available: true,
          people: [
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
          ],
        });
      case 'demo.insertCard':
        this.setCard(cardState('present', s.pinTries));
        return this.ok({ inserted: true });
      case 'demo.removeCard':
        this.setCard(cardState('empty'));
        return this.ok({ removed: true });
      case 'demo.answerEcps':
        return this.ok({ answered: true });
      case 'demo.lastLetter':
        return this.ok({ reference: 'VG-2026-0042', code: 'K7P2-9QXM', pdfBase64: '' });
      default:
        return this.err('UNAVAILABLE');
    }
  }
}
