import type { Language } from '../../domain/api/groups/app';
import type { Reminder } from '../../domain/api/groups/reminders';
import type { WorkstationSettings } from '../../domain/api/groups/settings';
import type { CardReminder, CardReminderNotice } from '../../domain/reminders/card-planner';
import type { ReminderNotice } from '../../domain/reminders/planner';
import { HIDDEN_FLAG } from './security-policy';
import type { ShellNotice } from './tray-model';

/**
 * The shell's lifecycle as a small controller over injected Electron-like objects (no `electron` import), so
 * "runs all day" is tested without the binary: closing the window hides it to the tray, a second launch reopens
 * it, a hidden login-time launch stays in the tray, reminders (an account's deadline, a card's end) become OS
 * notifications and tray updates, quitting
 * stops the core (bounded) before the app exits, and an OS shutdown is never held up. main.ts wires the real
 * Electron objects in.
 */
export interface WindowLike {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
  hide(): void;
  on(event: 'close', listener: (e: { preventDefault(): void }) => void): unknown;
  on(event: 'closed' | 'session-end', listener: () => void): unknown;
}

export interface CoreLike {
  start(): Promise<void>;
  stop(): Promise<void>;
  settings: {
    getWorkstationSettings(): WorkstationSettings;
    updateWorkstationSettings(patch: Partial<WorkstationSettings>): WorkstationSettings;
    onChanged(listener: (s: WorkstationSettings) => void): () => void;
  };
  workstation: {
    reminders: {
      list(): Reminder[];
      onChanged(listener: (r: Reminder[]) => void): () => void;
      onNotify(listener: (n: ReminderNotice) => void): () => void;
      /** The cards seen here whose end is within 60 days, for the tray. */
      cards(): CardReminder[];
      onCardNotify(listener: (n: CardReminderNotice) => void): () => void;
      onCardsChanged(listener: (cards: CardReminder[]) => void): () => void;
      wake(reason: string): Promise<void>;
    };
  };
}

export interface ShellDeps {
  core: CoreLike;
  createWindow(): WindowLike;
  tray: {
    update(
      reminders: readonly Reminder[],
      opts: { language: Language; startAtLogin: boolean; cards: readonly CardReminder[] },
    ): void;
  };
  notify(n: ShellNotice, language: Language, onClick: () => void): void;
  applyLoginItem(on: boolean): void;
  /** app.quit(): emits before-quit, which this controller handles. */
  quitApp(): void;
  closeLog?(): Promise<void>;
  log(level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
  stopTimeoutMs?: number;
}

export interface ShellController {
  /** Starts the core, shows the window unless launched hidden. */
  ready(argv: readonly string[]): Promise<void>;
  /** Show the window (create it if needed). */
  open(): void;
  window(): WindowLike | null;
  onSecondInstance(argv: readonly string[]): void;
  /** Tray "Quit". */
  quit(): void;
  /** app 'before-quit': the first one waits for the core to stop, then quits for real. */
  onBeforeQuit(event: { preventDefault(): void }): void;
  /** powerMonitor 'resume' / 'unlock-screen'. */
  onWake(reason: string): void;
  /** powerMonitor 'shutdown'. */
  onShutdown(): void;
}

export function createShellController(d: ShellDeps): ShellController {
  let win: WindowLike | null = null;
  let quitting = false;
  let stopState: 'running' | 'stopping' | 'stopped' = 'running';
  const { core } = d;

  const open = () => {
    if (win && !win.isDestroyed()) {
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
      return;
    }
    const w = d.createWindow();
    win = w;
    // Runs all day: closing the window keeps Vigie in the tray; "Quit" in the tray menu quits.
    w.on('close', (event) => {
      if (!quitting) {
        event.preventDefault();
        w.hide();
      }
    });
    w.on('closed', () => {
      if (win === w) win = null;
    });
    // Windows is shutting down or logging off: let the window close, or Vigie would hold the shutdown up.
    w.on('session-end', () => (quitting = true));
  };

  const refreshTray = () => {
    const s = core.settings.getWorkstationSettings();
    d.tray.update(core.workstation.reminders.list(), {
      language: s.language,
      startAtLogin: s.startAtLogin,
      cards: core.workstation.reminders.cards(),
    });
  };

  const quit = () => {
    quitting = true;
    d.quitApp();
  };

  return {
    async ready(argv) {
      d.applyLoginItem(core.settings.getWorkstationSettings().startAtLogin);
      core.workstation.reminders.onChanged(refreshTray);
      core.settings.onChanged((s) => {
        d.applyLoginItem(s.startAtLogin);
        refreshTray();
      });
      core.workstation.reminders.onNotify((n) =>
        d.notify(n, core.settings.getWorkstationSettings().language, open),
      );
      core.workstation.reminders.onCardsChanged(refreshTray);
      core.workstation.reminders.onCardNotify((n) =>
        d.notify(n, core.settings.getWorkstationSettings().language, open),
      );
      try {
        await core.start();
      } catch (e) {
        // The window still opens: the core's own states (backend unreachable, card service down) say what is wrong.
        d.log('error', 'core failed to start', { error: e instanceof Error ? e.message : String(e) });
      }
      refreshTray();
      if (!argv.includes(HIDDEN_FLAG)) open();
    },
    open,
    window: () => win,
    onSecondInstance(argv) {
      // A second launch (desktop icon clicked again) reopens the window, unless it is the hidden login-time one.
      if (!argv.includes(HIDDEN_FLAG)) open();
    },
    quit,
    onBeforeQuit(event) {
      quitting = true;
      if (stopState === 'stopped') return;
      event.preventDefault();
      if (stopState === 'stopping') return;
      stopState = 'stopping';
      const atMost = (p: Promise<unknown> | undefined, ms: number) =>
        Promise.race([p?.catch(() => undefined), new Promise((r) => setTimeout(r, ms))]);
      void atMost(core.stop(), d.stopTimeoutMs ?? 5000)
        .then(() => atMost(d.closeLog?.(), 1000))
        .finally(() => {
          stopState = 'stopped';
          d.quitApp();
        });
    },
    onWake(reason) {
      // The scheduler decides from the wall clock; this only makes it look now.
      void core.workstation.reminders.wake(reason).catch(() => undefined);
    },
    onShutdown: quit,
  };
}
