import { describe, expect, it, vi } from 'vitest';

/** IPC: only our window's main frame, showing our own page, reaches the core. `electron` is a recorder here. */
const handlers = new Map<string, (event: unknown, req: unknown) => unknown>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: (ch: string, fn: (e: unknown, r: unknown) => unknown) => handlers.set(ch, fn),
    removeHandler: (ch: string) => handlers.delete(ch),
  },
}));
const { bindIpc } = await import('./ipc');

const mainFrame = { url: 'file:///opt/Vigie/dist/renderer/index.html' };
const win = { webContents: { mainFrame, send: vi.fn() }, isDestroyed: () => false };
const calls: string[] = [];
const core = {
  dispatcher: {
    calls: ['settings.get'],
    events: ['reminders.changed'],
    invoke: async (ch: string) => (calls.push(ch), { ok: true, value: {} }),
  },
  events: { subscribe: (_ch: string, l: (p: unknown) => void) => ((push = l), () => undefined) },
};
let push: (p: unknown) => void = () => {};
bindIpc(
  core as never,
  () => win as never,
  (url) => url.startsWith('file:///opt/Vigie/dist/renderer/'),
);
const invoke = (event: unknown) => handlers.get('settings.get')!(event, undefined);

describe('a foreign frame cannot call the core', () => {
  it('our main frame on our page is served', async () => {
    expect(await invoke({ sender: win.webContents, senderFrame: mainFrame })).toMatchObject({ ok: true });
    expect(calls).toEqual(['settings.get']);
  });
  it('a subframe, another webContents, a foreign page or a gone frame is refused', async () => {
    for (const event of [
      { sender: win.webContents, senderFrame: { url: mainFrame.url } },
      { sender: {}, senderFrame: mainFrame },
      { sender: win.webContents, senderFrame: null },
    ])
      expect(await invoke(event)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const hijacked = { url: 'https://evil.example/' };
    win.webContents.mainFrame = hijacked;
    expect(await invoke({ sender: win.webContents, senderFrame: hijacked })).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
    });
    win.webContents.mainFrame = mainFrame;
    expect(calls).toEqual(['settings.get']);
  });
  it('pushed events go to our window only', () => {
    push({ reminders: [] });
    expect(win.webContents.send).toHaveBeenCalledWith('reminders.changed', { reminders: [] });
  });
});
