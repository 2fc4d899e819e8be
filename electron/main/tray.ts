import { Menu, Tray, nativeImage } from 'electron';
import { join } from 'node:path';
import type { Language } from '../../domain/api/groups/app';
import type { Reminder } from '../../domain/api/groups/reminders';
import type { CardReminder } from '../../domain/reminders/card-planner';
import { trayModel, type TrayItem } from './tray-model';

/**
 * The tray icon: nearest deadline in the tooltip, one line per followed account and per card whose end is near,
 * open, start at login, quit.
 */
export interface TrayActions {
  open(): void;
  setStartAtLogin(on: boolean): void;
  quit(): void;
}

export function createTray(assetsDir: string, actions: TrayActions) {
  // createFromPath picks up the @2x twin on high-density screens.
  const image = (file: string) => nativeImage.createFromPath(join(assetsDir, file));
  const tray = new Tray(image('tray.png'));
  let currentIcon = 'tray.png';
  tray.on('click', () => actions.open());
  const toMenu = (item: TrayItem): Electron.MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'account':
      case 'card':
      case 'open':
        return { label: item.label, click: () => actions.open() };
      case 'start-at-login':
        return {
          label: item.label,
          type: 'checkbox',
          checked: item.checked,
          click: (mi) => actions.setStartAtLogin(mi.checked),
        };
      case 'quit':
        return { label: item.label, click: () => actions.quit() };
    }
  };
  return {
    update(
      reminders: readonly Reminder[],
      opts: { language: Language; startAtLogin: boolean; cards?: readonly CardReminder[] },
    ) {
      const model = trayModel(reminders, opts);
      if (model.icon !== currentIcon) {
        const img = image(model.icon);
        if (!img.isEmpty()) tray.setImage(img);
        currentIcon = model.icon;
      }
      tray.setToolTip(model.tooltip);
      tray.setContextMenu(Menu.buildFromTemplate(model.items.map(toMenu)));
    },
    destroy: () => tray.destroy(),
  };
}
