import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore } from '../core';
import { formatDiagnostics, scrub } from './diagnostics';
import { createFileLogger } from './logger';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-diag-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('logs (pino + pino-roll, real files)', () => {
  it('writes JSON lines under the user-data folder and never writes a PIN, token or password', async () => {
    const l = await createFileLogger(dir);
    l.log('info', 'sign-in attempt', {
      pin: '1234',
      token: 'rt-abcdef',
      nested: { password: 'Hunter2!x', refreshToken: 'rt-2' },
      method: 'card',
    });
    l.log('error', 'backend call failed', { code: 'BACKEND_UNREACHABLE' });
    await l.close();
    const files = readdirSync(join(dir, 'logs'));
    expect(files.some((f) => /^vigie\.\d+\.log$/.test(f))).toBe(true);
    const text = files.map((f) => readFileSync(join(dir, 'logs', f), 'utf8')).join('');
    const first = JSON.parse(text.split('\n')[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({
      msg: 'sign-in attempt',
      method: 'card',
      pin: '[redacted]',
      token: '[redacted]',
    });
    for (const secret of ['1234', 'rt-abcdef', 'Hunter2!x', 'rt-2']) expect(text).not.toContain(secret);
    expect(l.recent()).toMatchObject([
      { level: 'error', msg: 'backend call failed', code: 'BACKEND_UNREACHABLE' },
    ]);
  });

  it('rotates: a full file is closed and a new one started, old ones removed beyond the limit', async () => {
    const l = await createFileLogger(dir, { sizeMb: 0.002, files: 2 }); // ~2 KB per file
    for (let i = 0; i < 200; i++) {
      l.log('info', `line ${i} ${'x'.repeat(40)}`);
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5));
    }
    await l.close();
    const files = readdirSync(join(dir, 'logs')).filter((f) => f.endsWith('.log'));
    expect(files.length).toBeGreaterThan(1);
    expect(files.length).toBeLessThanOrEqual(3);
  });
});

describe('copy diagnostics', () => {
  it('says versions, readers, keychain, recoveries and last errors, with no personal data', () => {
    const text = formatDiagnostics({
      now: new Date('2027-03-01T10:00:00Z'),
      appVersion: '0.1.0',
      mode: 'electron',
      versions: { node: '22.20.0', electron: '45.4.1', chrome: '142.0' },
      settingsFormat: '2.0.0',
      recoveries: [
        {
          reason: 'unreadable',
          movedTo: '/x/settings.json.corrupt-1',
          restoredFrom: 'backup',
          at: '2027-03-01T09:00:00Z',
          detail: 'x',
        },
      ],
      keychain: { available: false, reason: 'no Secret Service on the session bus' },
      workstation: {
        id: '0b7e4f0e-0000-4000-8000-000000000001',
        label: 'Poste comptoir 1',
        registeredAt: null,
        revokedAt: null,
        canSign: false,
      },
      backend: { mode: 'remote', reachable: false, address: 'vigie.example.org' },
      card: {
        status: 'present',
        readers: [
          {
            name: 'Gemalto PC Twin Reader 00 00',
            slot: 'present',
            card: {
              kind: 'cps3',
              atr: '3B',
              holder: {
                nationalId: '810001234567',
                lastName: 'CURIE',
                firstName: 'MARIE',
                profession: 'Pharmacien',
              },
            },
          },
        ],
        activeReader: 'Gemalto PC Twin Reader 00 00',
        pinTriesLeft: 3,
        updatedAt: '2027-03-01T10:00:00Z',
      },
      readersSeen: ['Gemalto PC Twin Reader 00 00', 'Identiv uTrust 2700 R 00 00'],
      cardProcessRestarts: 2,
      reminders: [
        {
          accountId: 'acc-1',
          displayName: 'Marie Curie',
          urgency: 'd7',
          blockAt: '2027-03-07T09:00:00Z',
          daysLeft: 6,
          stale: true,
          checkedAt: '2027-02-28T09:00:00Z',
          snoozedUntil: null,
        },
      ],
      remindersLastRefreshAt: '2027-02-28T09:00:00Z',
      recentLog: [
        {
          at: '2027-03-01T09:59:00Z',
          level: 'error',
          msg: 'sign-in failed for marie.curie@pharmacie.fr (810001234567)',
          code: 'INVALID_CREDENTIALS',
        },
      ],
    });
    expect(text).toContain('electron 45.4.1');
    expect(text).toContain('"Gemalto PC Twin Reader 00 00" (present, cps3)');
    expect(text).toContain('card process restarts: 2');
    expect(text).toContain(
      'readers seen since start: "Gemalto PC Twin Reader 00 00", "Identiv uTrust 2700 R 00 00"',
    );
    expect(text).toContain(
      'keychain: unavailable (no Secret Service on the session bus) — "remember me" off',
    );
    expect(text).toContain('2027-03-01T09:00:00Z unreadable → backup');
    expect(text).toContain('reminders: 1 account(s) followed (d7 1); status STALE');
    expect(text).toContain('[INVALID_CREDENTIALS]');
    for (const personal of ['Marie', 'CURIE', 'MARIE', '810001234567', 'marie.curie@', 'acc-1'])
      expect(text).not.toContain(personal);
  });

  it('scrubs e-mails, national ids, tokens and PINs from free text', () => {
    expect(scrub('pin=1234 for a@b.fr id 810001234567 token eyJhbGciOi.eyJzdWIi.sig')).toBe(
      'pin=[redacted] for [e-mail] id [number] token [token]',
    );
  });

  it('is reachable from the settings screen through the renderer API', async () => {
    const core = createCore({ mode: 'browser', userDataDir: dir, appVersion: '0.1.0' });
    const res = await core.dispatcher.invoke('settings.diagnostics', undefined, { transport: 'direct' });
    expect(res).toMatchObject({ ok: true });
    expect((res as { value: { text: string } }).value.text).toMatch(/^Vigie 0\.1\.0 — diagnostics/);
  });
});
