import { build } from 'esbuild';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { listChannels } from '../../domain/api/define';
import { PRELOAD_GLOBAL, rendererApi } from '../../domain/api/renderer-api';

/**
 * The preload, bundled as the build does, run in a fresh VM context with a recording `electron`: it must expose
 * exactly one object built from the schema, and nothing that would let a compromised page call arbitrary IPC.
 */
const bundle = await build({
  entryPoints: [join(import.meta.dirname, 'preload.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['electron'],
  write: false,
  logLevel: 'silent',
});
const code = bundle.outputFiles[0]!.text;
const manifestArg = (m: unknown) => `--vigie-api=${encodeURIComponent(JSON.stringify(m))}`;
const realManifest = {
  global: PRELOAD_GLOBAL,
  channels: listChannels(rendererApi).map(({ channel, def }) => [channel, def.kind]),
};

function runPreload(argv: string[]) {
  const exposed: [string, Record<string, Record<string, (...a: unknown[]) => unknown>>][] = [];
  const invoked: [string, unknown][] = [];
  const subscribed: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (name: string, api: never) => exposed.push([name, api]) },
    ipcRenderer: {
      invoke: (ch: string, req: unknown) => (
        invoked.push([ch, req]),
        Promise.resolve({ ok: true, value: null })
      ),
      on: (ch: string) => subscribed.push(ch),
      removeListener: () => undefined,
    },
  };
  const module = { exports: {} };
  runInNewContext(code, {
    require: (id: string) => {
      if (id === 'electron') return electron;
      throw new Error(`the preload may require nothing else (asked for ${id})`);
    },
    module,
    exports: module.exports,
    process: { argv },
  });
  return { exposed, invoked, subscribed };
}

describe('the preload exposes one object and nothing else', () => {
  it('is a few kilobytes and carries no schema library', () => {
    expect(code.length).toBeLessThan(8_000);
    expect(code).not.toMatch(/zod|ZodType/);
  });

  it('exposes exactly `window.vigie`, built from the schema, and calls go to their own channels', async () => {
    const { exposed, invoked, subscribed } = runPreload(['electron', '.', manifestArg(realManifest)]);
    expect(exposed.map(([name]) => name)).toEqual(['vigie']);
    const api = exposed[0]![1];
    expect(Object.keys(api).sort()).toEqual(Object.keys(rendererApi).sort());
    await api.settings!.get!();
    await api.reminders!.snooze!({ accountId: 'a', hours: 2 });
    expect(invoked).toEqual([
      ['settings.get', undefined],
      ['reminders.snooze', { accountId: 'a', hours: 2 }],
    ]);
    api.reminders!.onChanged!(() => undefined);
    expect(subscribed).toEqual(['reminders.changed']);
    // No generic door: no raw ipcRenderer, no invoke(channel), no send.
    for (const group of Object.values(api))
      for (const k of Object.keys(group)) expect(['invoke', 'send', 'on', 'ipcRenderer']).not.toContain(k);
  });

  it('a missing or tampered channel list exposes nothing', () => {
    expect(runPreload(['electron']).exposed).toEqual([]);
    expect(runPreload([manifestArg({ global: 'vigie', channels: [['../../x', 'call']] })]).exposed).toEqual(
      [],
    );
    expect(runPreload([manifestArg({ global: 'process.mainModule', channels: [] })]).exposed).toEqual([]);
    expect(runPreload(['--vigie-api=%E0%A4%A']).exposed).toEqual([]);
  });
});
