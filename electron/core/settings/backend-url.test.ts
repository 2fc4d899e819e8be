/**
 * A phishing caller ("le support Vigie") talks the pharmacist into pointing the workstation at their own server
 * over plain HTTP, to read the password and the session token on the way. Plain HTTP is refused everywhere but
 * on this machine (loopback), both in the settings and in the backend client itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackendClient } from '../backend-client/client';
import { openSettings } from './settings-store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const client = (baseUrl: string) =>
  new BackendClient({ baseUrl, workstation: { id: randomUUID(), label: 'Comptoir 1' }, appVersion: '0.1.0' });

describe('a plain-http backend URL', () => {
  it('the settings refuse a remote server over plain HTTP and keep the previous one', () => {
    const s = openSettings(dir);
    for (const url of [
      'http://vigie-support.example',
      'http://192.0.2.10:8787',
      'http://127.0.0.1.evil.example',
    ]) {
      expect(() => s.updateWorkstationSettings({ backendUrl: url }), url).toThrow();
    }
    expect(s.getWorkstationSettings().backendUrl).toBe('');
  });

  it('the settings accept HTTPS anywhere and plain HTTP on this machine only', () => {
    const s = openSettings(dir);
    for (const url of [
      'https://vigie.pharmacie.example',
      'http://127.0.0.1:8787',
      'http://localhost:8787',
      'http://[::1]:8787',
    ]) {
      expect(s.updateWorkstationSettings({ backendUrl: url }).backendUrl).toBe(url);
    }
  });

  it('the backend client never sends anything to a remote server over plain HTTP', () => {
    expect(() => client('http://vigie-support.example:8787')).toThrow(/HTTPS/);
    expect(() => client('http://127.0.0.1:8787')).not.toThrow();
    expect(() => client('https://vigie.pharmacie.example')).not.toThrow();
  });
});
