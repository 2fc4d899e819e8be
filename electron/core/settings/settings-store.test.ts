import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, openSettings } from './settings-store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = () => join(dir, 'settings.json');
const onDisk = () => JSON.parse(readFileSync(file(), 'utf8')) as Record<string, unknown>;

describe('settings store (conf, real files)', { timeout: 30_000 }, () => {
  it('starts with the defaults and keeps a change across a restart', () => {
    const s = openSettings(dir);
    expect(s.getWorkstationSettings()).toEqual({
      language: 'fr',
      backendUrl: '',
      readerName: '',
      reminderDays: [30, 14, 7, 3, 1],
      startAtLogin: true,
      workstationLabel: 'Poste Vigie',
    });
    s.updateWorkstationSettings({ workstationLabel: 'Poste comptoir 1', language: 'en' });
    const again = openSettings(dir);
    expect(again.getWorkstationSettings()).toMatchObject({
      workstationLabel: 'Poste comptoir 1',
      language: 'en',
    });
    expect(again.recoveredFrom).toBeNull();
  });

  it('announces every change of a workstation setting (the tray and start-at-login follow), not the others', () => {
    const s = openSettings(dir);
    const seen: string[] = [];
    s.onChanged((next) => seen.push(`${next.language}/${next.startAtLogin}`));
    s.set('language', 'en');
    s.updateWorkstationSettings({ startAtLogin: false });
    s.set('rememberedAccounts', ['a']);
    expect(seen).toEqual(['en/true', 'en/false']);
  });

  it('refuses an invalid change and keeps the previous value', () => {
    const s = openSettings(dir);
    expect(() => s.updateWorkstationSettings({ backendUrl: 'ftp://example.org' })).toThrow();
    expect(() => s.updateWorkstationSettings({ workstationLabel: '   ' })).toThrow();
    expect(s.getWorkstationSettings().backendUrl).toBe('');
  });

  it('a corrupt file does not crash the app: it is put aside and the last good copy comes back', () => {
    const s = openSettings(dir);
    s.updateWorkstationSettings({ workstationLabel: 'Poste comptoir 2' });
    writeFileSync(file(), '{"language": "fr", "backendUrl": ');
    const again = openSettings(dir);
    expect(again.recoveries).toMatchObject([{ reason: 'unreadable', restoredFrom: 'backup' }]);
    expect(again.getWorkstationSettings().workstationLabel).toBe('Poste comptoir 2');
    expect(again.recoveredFrom).toMatch(/settings\.json\.corrupt-\d+$/);
    expect(readFileSync(again.recoveredFrom!, 'utf8')).toContain('"backendUrl": ');
  });

  it('a hand-edited file with a wrong value is reported and replaced by the backup', () => {
    const s = openSettings(dir);
    s.updateWorkstationSettings({ workstationLabel: 'Back office' });
    const edited = { ...onDisk(), language: 'de', reminderDays: [30, 'soon'] };
    writeFileSync(file(), JSON.stringify(edited));
    const again = openSettings(dir);
    expect(again.recoveries[0]).toMatchObject({ reason: 'invalid', restoredFrom: 'backup' });
    expect(again.getWorkstationSettings()).toMatchObject({ language: 'fr', workstationLabel: 'Back office' });
  });

  it('a backend URL with another protocol (hand-edited) is caught even though JSON schema says "uri"', () => {
    openSettings(dir);
    rmSync(join(dir, 'settings.backup.json'));
    writeFileSync(file(), JSON.stringify({ ...onDisk(), backendUrl: 'javascript:alert(1)' }));
    const again = openSettings(dir);
    expect(again.recoveries[0]).toMatchObject({ reason: 'invalid', restoredFrom: 'defaults' });
    expect(again.get('backendUrl')).toBe('');
  });

  it('a file broken while the app runs is recovered at the next read, not thrown', () => {
    const s = openSettings(dir);
    s.updateWorkstationSettings({ readerName: 'Lecteur CPS' });
    const seen: string[] = [];
    s.onRecovered((r) => seen.push(r.reason));
    writeFileSync(file(), 'not json at all');
    expect(s.get('readerName')).toBe('Lecteur CPS');
    expect(seen).toEqual(['unreadable']);
  });

  it('migrates a 1.x file: keeps the language, trims the URL, drops a plain-text token', () => {
    writeFileSync(
      file(),
      JSON.stringify({
        language: 'en',
        backendUrl: 'https://vigie.example.org/',
        token: 'secret-token-value',
      }),
    );
    const s = openSettings(dir);
    expect(s.recoveries).toEqual([]);
    expect(s.getWorkstationSettings()).toMatchObject({
      language: 'en',
      backendUrl: 'https://vigie.example.org',
      startAtLogin: true,
    });
    const text = readFileSync(file(), 'utf8');
    expect(text).not.toContain('secret-token-value');
    expect(onDisk().__internal__).toMatchObject({ migrations: { version: '2.0.0' } });
  });

  it('with neither a good file nor a backup, the defaults come back and the bad file is kept for diagnostics', () => {
    writeFileSync(file(), '\u0000\u0001garbage');
    const s = openSettings(dir);
    expect(s.recoveries[0]).toMatchObject({ reason: 'unreadable', restoredFrom: 'defaults' });
    expect(s.get('reminders')).toEqual(DEFAULT_SETTINGS.reminders);
    expect(readdirSync(dir).some((f) => f.startsWith('settings.json.corrupt-'))).toBe(true);
    expect(existsSync(join(dir, 'settings.backup.json'))).toBe(true);
  });
});
