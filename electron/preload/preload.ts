import { contextBridge, ipcRenderer } from 'electron';
import { createClient, type Transport } from '../../domain/api/define';
import { PRELOAD_GLOBAL, rendererApi } from '../../domain/api/renderer-api';
import type { Result } from '../../domain/result';

/**
 * Exposes ONE object, built from the renderer-API schema: `window.vigie.card.getState()`, `window.vigie.card.onState(cb)`.
 * No raw ipcRenderer, no channel the schema does not list. Bundled to CommonJS (sandboxed preload).
 */
const transport: Transport = {
  invoke: (channel, req) => ipcRenderer.invoke(channel, req) as Promise<Result<unknown>>,
  subscribe: (channel, listener) => {
    const handler = (_event: Electron.IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => void ipcRenderer.removeListener(channel, handler);
  },
};

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, createClient(rendererApi, transport));
