import { contextBridge, ipcRenderer } from 'electron';
import { createClient, type ApiSchema, type Transport } from '../../domain/api/define';
import type { Result } from '../../domain/result';
import { parsePreloadManifest } from './manifest';

/**
 * Exposes ONE object, built from the renderer-API schema: `window.vigie.card.getState()`, `window.vigie.card.onState(cb)`.
 * No raw ipcRenderer, no channel the schema does not list. Bundled to CommonJS (sandboxed preload).
 *
 * The schema's channel list comes from the main process (which holds the schema) through
 * `webPreferences.additionalArguments`, so this file carries no schema library: a few kilobytes, nothing to exploit.
 */
const manifest = parsePreloadManifest(process.argv);

const transport: Transport = {
  invoke: (channel, req) => ipcRenderer.invoke(channel, req) as Promise<Result<unknown>>,
  subscribe: (channel, listener) => {
    const handler = (_event: Electron.IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => void ipcRenderer.removeListener(channel, handler);
  },
};

if (manifest) {
  const schema: Record<string, Record<string, { kind: 'call' | 'event' }>> = {};
  for (const [channel, kind] of manifest.channels) {
    const [group, key] = channel.split('.') as [string, string];
    (schema[group] ??= {})[key] = { kind };
  }
  contextBridge.exposeInMainWorld(manifest.global, createClient(schema as unknown as ApiSchema, transport));
}
