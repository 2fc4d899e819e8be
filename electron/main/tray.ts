import { Menu, Tray, nativeImage } from 'electron';
import type { Language } from '../../domain/api/groups/app';
import type { Reminder } from '../../domain/api/groups/reminders';
import { trayModel, type TrayItem } from './tray-model';

/** The tray icon: nearest deadline in the tooltip, one line per followed account, open, start at login, quit. */
export interface TrayActions {
  open(): void;
  setStartAtLogin(on: boolean): void;
  quit(): void;
}

export function createTray(iconPath: string, actions: TrayActions) {
  const image = nativeImage.createFromPath(iconPath);
  const tray = new Tray(image.isEmpty() ? nativeImage.createEmpty() : image);
  tray.on('click', () => actions.open());
  const toMenu = (item: TrayItem): Electron.MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'account':
      case 'open':
        return { label: item.label, click: () => actions.open() };
      case 'start-at-login':
        return { label: item.label, type: 'checkbox', checked: item.checked, click: (mi) => actions.setStartAtLogin(mi.checked) };
      case 'quit':
        return { label: item.label, click: () => actions.quit() };
    }
  };
  return {
    update(reminders: readonly Reminder[], opts: { language: Language; startAtLogin: boolean }) {
      const model = trayModel(reminders, opts);
      tray.setToolTip(model.tooltip);
      tray.setContextMenu(Menu.buildFromTemplate(model.items.map(toMenu)));
    },
    destroy: () => tray.destroy(),
  };
}
