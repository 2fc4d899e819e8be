import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { HIDDEN_FLAG } from './security-policy';

/**
 * "Start with the computer" on Linux. Electron's app.setLoginItemSettings works on Windows and macOS only; on
 * Linux desktops the standard is an XDG autostart entry (~/.config/autostart/<name>.desktop).
 */
export const AUTOSTART_FILE = 'fr.vigie.workstation.desktop';

/** The desktop entry: the AppImage path when run as an AppImage, else the installed binary; starts hidden. */
export function autostartEntry(exec: string): string {
  const quoted = /[\s"'\\$`]/.test(exec) ? `"${exec.replace(/(["\\$`])/g, '\\$1')}"` : exec;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Vigie',
    'Comment=Rappels et sécurité des comptes amelipro de la pharmacie',
    `Exec=${quoted} ${HIDDEN_FLAG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function autostartPath(env: NodeJS.ProcessEnv = process.env): string {
  const config =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/')
      ? env.XDG_CONFIG_HOME
      : join(homedir(), '.config');
  return join(config, 'autostart', AUTOSTART_FILE);
}

export function setLinuxAutostart(on: boolean, exec: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = autostartPath(env);
  if (!on) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, autostartEntry(exec), { mode: 0o644 });
}
