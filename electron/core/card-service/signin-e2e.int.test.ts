/**
 * The sign-in and unblock stories end to end, through the renderer API as the UI drives it: the core with its
 * embedded backend (demo pharmacy, months old), the card process on the private pcscd with the vpcd reader and a
 * virtual CPS card in it, the Pro Santé Connect sandbox as the phone, and the postal letter read from the PDF.
 * The demo pharmacy is seeded 7 months in the past, so its people are past their block date today.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../../../backend/demo/people';
import { DEMO_SECURITY_KEY } from '../../../backend/demo/signin-seed';
import { createCore, type Core } from '../core';
import { createDemo } from '../demo';
import { CardService } from './card-service';

const skip = inject('pcscSkip');
if (skip) console.warn(`[card-pcsc] sign-in end-to-end tests skipped: ${skip}`);

const P = DEMO_PEOPLE;
const NEW_PASSWORD = 'Glycine-Ombelle-Pivoine-93!';
const DAY = 86_400_000;

describe.skipIf(!!skip)(
  'sign-in and unblock through the renderer API, with a virtual card in the real reader and the PSC sandbox',
  () => {
    let dir: string;
    let core: Core;
    let card: CardService;
    let offset = -220 * DAY;
    const states: { status: string; endedBecause: string | null }[] = [];
    const ecps: string[] = [];
    const call = async <T = unknown>(ch: string, req?: unknown) =>
      (await core.dispatcher.invoke(ch, req, { transport: 'direct' })) as
        { ok: true; value: T } | { ok: false; code: string; message: string };
    const value = async <T = Record<string, unknown>>(ch: string, req?: unknown): Promise<T> => {
      const r = await call<T>(ch, req);
      if (!r.ok) throw new Error(`${ch}: ${r.code} ${r.message}`);
      return r.value;
    };
    async function waitFor<T>(
      what: string,
      fn: () => Promise<T | null | undefined | false>,
      ms = 20_000,
    ): Promise<T> {
      const end = Date.now() + ms;
      for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const cardPresent = (name: string) =>
      waitFor(`${name}'s card`, async () => {
        const s = await value<{ status: string; readers: { card?: { holder?: { lastName: string } } }[] }>(
          'card.getState',
        );
        return s.status === 'present' && s.readers.some((r) => r.card?.holder?.lastName === name);
      });
    const verifyChain = async () =>
      expect(await value('events.verify', {})).toMatchObject({ ok: true, firstBad: null });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'vigie-core-signin-'));
      card = new CardService({ env: process.env });
      core = createCore({
        mode: 'browser',
        userDataDir: dir,
        appVersion: 'test',
        demo: createDemo(() => Number(process.env.VIGIE_VPCD_PORT)),
        cardSource: card,
        now: () => new Date(Date.now() + offset),
      });
      await core.start();
      offset = 0; // seven months later
      core.events.subscribe('session.state', (s) => states.push(s as (typeof states)[number]));
      core.events.subscribe('session.ecps', (s) => ecps.push((s as { status: string }).status));
    }, 180_000);

    afterAll(async () => {
      await core?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a holder blocked for inactivity signs in with her card (after one wrong PIN): active again; pulling the card locks', async () => {
      expect(await value('demo.insertCard', { personId: 'holder', profile: 'cps3' })).toEqual({
        inserted: true,
      });
      await cardPresent('MARTIN');
      const wrong = await call('card.verifyPinAndSignIn', { pin: '0000' });
      expect(wrong).toMatchObject({ ok: false, code: 'CARD_PIN_WRONG' });
      const r = await value<{ status: string; session: { user: { displayName: string; method: string } } }>(
        'card.verifyPinAndSignIn',
        { pin: '1234' },
      );
      expect(r).toMatchObject({
        status: 'signed-in',
        session: { status: 'signed-in', user: { displayName: 'Claire MARTIN', method: 'card' } },
      });
      expect(JSON.stringify(r)).not.toMatch(/token|1234/i);
      expect(await value('accounts.getMine')).toMatchObject({
        status: { state: 'active', lastActivity: { method: 'card' } },
      });
      const unblocked = await value<{ events: { method: string; cardSerial: string | null }[] }>(
        'events.list',
        { filters: { type: 'account_unblocked' }, limit: 5 },
      );
      expect(unblocked.events[0]).toMatchObject({ method: 'card', cardSerial: '99012345' });
      const blocked = await value<{ events: unknown[] }>('events.list', {
        filters: { type: 'account_blocked' },
        limit: 5,
      });
      expect(blocked.events.length).toBeGreaterThan(0);
      await verifyChain();

      await value('demo.removeCard');
      await waitFor('the lock', async () => states.at(-1)?.status === 'locked');
      expect(states.at(-1)).toMatchObject({ status: 'locked', endedBecause: 'card-removed' });
    }, 60_000);

    it('a PIN typed the moment the card is in, before its number is read, signs in with that number', async () => {
      // The card process tells that a card is in, then reads its identity: the PIN is sent on the first word.
      let signIn: Promise<unknown> | null = null;
      let serialKnown: boolean | null = null;
      const off = core.events.subscribe('card.state', (s) => {
        const st = s as { status: string; readers: { card?: { serial?: string } }[] };
        if (signIn || st.status !== 'present') return;
        serialKnown = st.readers.some((r) => r.card?.serial);
        signIn = value('card.verifyPinAndSignIn', { pin: '1234' });
      });
      states.length = 0;
      await value('demo.insertCard', { personId: 'holder', profile: 'cps3' });
      await waitFor('the PIN sent', async () => signIn !== null);
      off();
      expect(serialKnown).toBe(false);
      expect(await signIn).toMatchObject({ status: 'signed-in' });
      // the card's number, read after the PIN was sent, is the session's (the events log shows it; pulling that
      // card locks)
      const signIns = await value<{ events: { method: string; cardSerial: string | null }[] }>(
        'events.list',
        {
          filters: { type: 'sign_in' },
          limit: 1,
        },
      );
      expect(signIns.events[0]).toMatchObject({ method: 'card', cardSerial: '99012345' });
      await value('demo.removeCard');
      await waitFor('the lock', async () => states.at(-1)?.status === 'locked');
      expect(states.at(-1)).toMatchObject({ status: 'locked', endedBecause: 'card-removed' });
    }, 60_000);

    it('a card delegate blocked for inactivity signs in with e-CPS, approved on the phone: active again', async () => {
      const started = await value<{ status: string; bindingMessage: string }>('session.startEcps', {
        nationalId: P.employee.nationalId,
      });
      expect(started).toMatchObject({
        status: 'pending',
        bindingMessage: expect.stringMatching(/^Vigie \d{4}$/),
      });
      expect(await value('demo.answerEcps', { approve: true })).toEqual({ answered: true });
      await waitFor('e-CPS approval', async () => ecps.includes('approved'));
      expect(await value('session.getState')).toMatchObject({
        status: 'signed-in',
        user: { displayName: 'Julien PETIT', method: 'ecps' },
      });
      expect(await value('accounts.getMine')).toMatchObject({
        status: { state: 'active', lastActivity: { method: 'ecps' } },
      });
      await verifyChain();
      await value('session.signOut');
    }, 60_000);

    it('a refusal on the phone ends the e-CPS request as refused, and nobody is signed in', async () => {
      ecps.length = 0;
      await value('session.startEcps', { nationalId: P.holder.nationalId });
      expect(await value('demo.answerEcps', { approve: false })).toEqual({ answered: true });
      await waitFor('e-CPS refusal', async () => ecps.includes('refused'));
      expect(await value('session.getState')).toMatchObject({ status: 'signed-out' });
    }, 60_000);

    it('a blocked accountant: the security key, a new password, then she signs in', async () => {
      const id = P.accountantBlocked.identifier;
      const blocked = await value('session.signInWithPassword', { identifier: id, password: DEMO_PASSWORD });
      expect(blocked).toMatchObject({
        status: 'blocked',
        reason: 'inactivity',
        identifier: id,
        unblockPaths: ['security_key', 'postal_code'],
      });
      // with the identifier alone, the wizard gets the choice everyone gets, whoever the identifier names
      const generic = await value('unblock.eligibility', { identifier: id, has: { card: false } });
      expect(generic).toEqual({ paths: ['security_key', 'postal_code'], securityKeyTriesLeft: 3 });
      expect(
        await value('unblock.eligibility', { identifier: 'personne.inconnue', has: { card: false } }),
      ).toEqual(generic);
      const q = await value<{ questions: { id: string; kind: string }[] }>('unblock.securityKeyQuestions');
      expect(q.questions.map((x) => x.kind)).toEqual(['date', 'postal-code', 'digits']);
      const wrong = await call('unblock.submitSecurityKey', {
        identifier: id,
        answers: { ...DEMO_SECURITY_KEY, iban_last4: '1111' },
      });
      expect(wrong).toMatchObject({ ok: false, code: 'SECURITY_KEY_WRONG' });
      const t = await value<{ ticket: string }>('unblock.submitSecurityKey', {
        identifier: id,
        answers: { ...DEMO_SECURITY_KEY, birth_date: '1979-07-14' },
      });
      expect(
        await call('unblock.setNewPassword', { ticket: 'not-a-ticket', newPassword: NEW_PASSWORD }),
      ).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
      expect(await value('unblock.setNewPassword', { ticket: t.ticket, newPassword: NEW_PASSWORD })).toEqual({
        unblocked: true,
      });
      expect(
        await value('session.signInWithPassword', { identifier: id, password: NEW_PASSWORD }),
      ).toMatchObject({
        status: 'signed-in',
        session: { user: { displayName: 'Marc LEROY', method: 'password' } },
      });
      expect(await value('accounts.getMine')).toMatchObject({ status: { state: 'active' } });
      await verifyChain();
      await value('session.signOut');
    }, 60_000);

    it('another blocked account: the postal code read from the letter PDF, a new password, then she signs in', async () => {
      const id = P.suspicious.identifier;
      expect(
        await value('session.signInWithPassword', { identifier: id, password: DEMO_PASSWORD }),
      ).toMatchObject({ status: 'blocked', reason: 'suspicious', unblockPaths: ['postal_code'] });
      // the right password was a factor: her own paths above. With the identifier alone, the same choice as
      // anyone's (an unknown identifier's), which does not tell that the key is no longer enough for her
      const generic = await value('unblock.eligibility', { identifier: id, has: {} });
      expect(generic).toEqual({ paths: ['security_key', 'postal_code'], securityKeyTriesLeft: 3 });
      expect(await value('unblock.eligibility', { identifier: 'personne.inconnue', has: {} })).toEqual(
        generic,
      );
      // her situation appears once a first step succeeded: the right key, which is not enough after a report
      expect(
        await call('unblock.submitSecurityKey', {
          identifier: id,
          answers: { ...DEMO_SECURITY_KEY, birth_date: '1979-07-14' },
        }),
      ).toMatchObject({ ok: false, code: 'SECURITY_KEY_NOT_ALLOWED' });
      // no letter asked for on this workstation yet: nothing to show
      expect(await value('unblock.postalState', { identifier: id })).toMatchObject({
        status: 'none',
        reference: null,
      });
      const requested = await value<{ status: string; reference: string }>('unblock.requestPostalCode', {
        identifier: id,
      });
      expect(requested).toMatchObject({ status: 'requested', reference: expect.stringMatching(/^VG-/) });
      // the request's handle stays in the core
      expect(requested).not.toHaveProperty('handle');
      const letter = await value<{ reference: string; code: string; pdfBase64: string }>('demo.lastLetter');
      expect(letter.reference).toBe(requested.reference);
      expect(Buffer.from(letter.pdfBase64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
      expect(await value('unblock.postalState', { identifier: id })).toMatchObject({
        status: 'requested',
        reference: requested.reference,
      });
      const t = await value<{ ticket: string }>('unblock.submitPostalCode', {
        identifier: id,
        code: letter.code,
      });
      expect(await call('unblock.submitPostalCode', { identifier: id, code: letter.code })).toMatchObject({
        ok: false,
        code: 'POSTAL_CODE_USED',
      });
      expect(await value('unblock.setNewPassword', { ticket: t.ticket, newPassword: NEW_PASSWORD })).toEqual({
        unblocked: true,
      });
      expect(
        await value('session.signInWithPassword', { identifier: id, password: NEW_PASSWORD }),
      ).toMatchObject({ status: 'signed-in' });
      expect(await value('accounts.getMine')).toMatchObject({ status: { state: 'active' } });
      await verifyChain();
    }, 60_000);

    it('a report with "block my account" secures it at once; the card then unblocks the holder', async () => {
      await value('session.signOut').catch(() => undefined);
      await value('demo.insertCard', { personId: 'holder', profile: 'cps4' });
      await cardPresent('MARTIN');
      await value('card.verifyPinAndSignIn', { pin: '1234' });
      const ev = await value<{ events: { id: number }[] }>('events.list', {
        filters: { type: 'sign_in' },
        limit: 3,
      });
      const c = await value<{ status: string; actions: string[]; steps: { status: string }[] }>(
        'events.report',
        { eventId: ev.events[1]!.id, blockAccount: true },
      );
      expect(c).toMatchObject({
        status: 'secured',
        actions: expect.arrayContaining(['sessions-revoked', 'account-blocked']),
      });
      expect(await value('session.getState')).toMatchObject({
        status: 'signed-out',
        endedBecause: 'revoked',
      });
      // e-CPS is not enough after the user's own report; the card is.
      ecps.length = 0;
      await value('session.startEcps', { nationalId: P.holder.nationalId });
      await value('demo.answerEcps', { approve: true });
      await waitFor('e-CPS refused after the report', async () => ecps.includes('refused'));
      expect(await value('card.verifyPinAndSignIn', { pin: '1234' })).toMatchObject({ status: 'signed-in' });
      const cases = await value<{ cases: { status: string; steps: { status: string }[] }[] }>(
        'events.listCases',
      );
      expect(cases.cases[0]).toMatchObject({ status: 'closed' });
      expect(cases.cases[0]!.steps.map((s) => s.status)).toEqual(['received', 'secured', 'closed']);
      await verifyChain();
      await value('demo.removeCard');
    }, 60_000);
  },
);
