import type { VigieHandlers } from '../../../domain/api/renderer-api';
import { AppError } from '../../../domain/result';
import type { CoreContext } from '../context';
import { formatDiagnostics } from '../diagnostics/diagnostics';
import { SETTINGS_FORMAT_VERSION } from '../settings/settings-store';

/** `settings`: the workstation's settings (one store for Electron and browser mode) and "copy diagnostics". */
export function settingsHandlers(ctx: CoreContext): VigieHandlers['settings'] {
  return {
    get: () => ctx.settings.getWorkstationSettings(),
    workstation: async () => {
      const services = ctx.workstation;
      // Registers now if that is still to do (no network when it is done, or when there is no key to register).
      await services?.syncRegistration();
      const info = services?.workstation()?.info() ?? null;
      const keychain = services?.keychain() ?? null;
      const label = ctx.settings.get('workstationLabel');
      return {
        id: info?.id ?? null,
        label,
        keychain: {
          available: keychain?.available ?? false,
          reason: keychain && !keychain.available ? keychain.reason : null,
        },
        hasKey: info?.canSign ?? false,
        registeredAt: info?.registeredAt ?? null,
        labelPending: info?.registeredAt ? (info.registeredLabel ?? null) !== label : false,
        revokedAt: info?.revokedAt ?? null,
      };
    },
    update: (patch) => {
      const before = ctx.settings.getWorkstationSettings();
      let next;
      try {
        next = ctx.settings.updateWorkstationSettings(patch);
      } catch {
        throw new AppError('INVALID_REQUEST', 'Ce réglage n’est pas valide.');
      }
      if (next.language !== before.language) ctx.events.emit('app.language', next.language);
      // A new label is registered with the backend (a registered workstation keeps its registered label).
      if (next.workstationLabel !== before.workstationLabel) void ctx.workstation.syncRegistration();
      ctx.log('info', 'settings changed', { keys: Object.keys(patch) });
      return next;
    },
    diagnostics: () => {
      const ws = ctx.workstation;
      const info = ws?.workstation()?.info() ?? null;
      return {
        text: formatDiagnostics({
          now: ctx.now(),
          appVersion: ctx.appVersion,
          mode: ctx.mode,
          versions: { node: process.versions.node, ...ctx.versions },
          settingsFormat: SETTINGS_FORMAT_VERSION,
          recoveries: ctx.settings.recoveries,
          keychain: ws?.keychain() ?? null,
          workstation: info,
          backend: ctx.backend.status(),
          card: ctx.card.getState(),
          readersSeen: ws?.readersSeen() ?? [],
          cardProcessRestarts: ws?.cardProcessRestarts() ?? null,
          reminders: ws?.reminders.list() ?? [],
          remindersLastRefreshAt: ctx.settings.get('reminders').lastRefreshAt,
          recentLog: ws?.recentLog() ?? [],
        }),
      };
    },
  };
}
