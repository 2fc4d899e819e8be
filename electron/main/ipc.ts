import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { err } from '../../domain/result';
import type { Core } from '../core/core';

/**
 * Binds the renderer API to Electron IPC: one `ipcMain.handle` per call channel, derived from the schema
 * through the core's dispatcher, and one `webContents.send` per pushed event. Calls from any other frame than
 * our window's main frame, or from a page that is not the app's, are refused.
 */
export function bindIpc(
  core: Core,
  getWindow: () => BrowserWindow | null,
  isAppPage: (url: string) => boolean = () => true,
): () => void {
  const isOurs = (event: IpcMainInvokeEvent) => {
    const win = getWindow();
    const frame = event.senderFrame;
    // Our window, its main frame, showing our own page (not a page it was somehow made to load).
    return (
      !!win &&
      !!frame &&
      event.sender === win.webContents &&
      frame === win.webContents.mainFrame &&
      isAppPage(frame.url)
    );
  };
  for (const channel of core.dispatcher.calls) {
    ipcMain.handle(channel, (event, req: unknown) =>
      isOurs(event)
        ? core.dispatcher.invoke(channel, req, { transport: 'ipc' })
        : err('FORBIDDEN', 'Refused.'),
    );
  }
  const offs = core.dispatcher.events.map((channel) =>
    core.events.subscribe(channel, (payload) => {
      const win = getWindow();
      if (win && !win.isDestroyed()) win.webContents.send(channel, payload);
    }),
  );
  return () => {
    for (const channel of core.dispatcher.calls) ipcMain.removeHandler(channel);
    for (const off of offs) off();
  };
}
