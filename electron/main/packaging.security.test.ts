import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { minimatch } from 'minimatch';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import type { Configuration } from 'app-builder-lib';

/**
 * The installers' configuration, validated as far as it goes without the Electron binary: loaded and checked by
 * electron-builder's own loader and JSON schema, then the security-relevant settings, each named after the threat.
 */
const root = process.cwd();
const config = (await getConfig(root, 'electron-builder.yml', null)) as Configuration &
  Record<string, unknown>;

describe('electron-builder.yml', () => {
  it('is accepted by electron-builder’s own schema validation', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    expect(config.appId).toBe('fr.vigie.workstation');
  }, 60_000); // loading electron-builder's schema takes seconds on a busy machine

  it('builds NSIS for Windows with the per-user / per-machine choice, and deb + AppImage for Linux', () => {
    const win = config.win as { target: { target: string }[] };
    expect(win.target.map((t) => t.target)).toEqual(['nsis']);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowElevation: true });
    expect((config.linux as { target: string[] }).target).toEqual(['deb', 'AppImage']);
    expect((config.deb as { depends: string[] }).depends).toEqual(
      expect.arrayContaining(['pcscd', 'libsecret-1-0']),
    );
  });

  it('ships what package.json starts, and icons big enough for every installer', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    // electron-builder normalises `files` into file sets: [{ filter: [...] }].
    const files = (config.files as ({ filter: string[] } | string)[]).flatMap((f) =>
      typeof f === 'string' ? [f] : f.filter,
    );
    expect(files.some((f) => !f.startsWith('!') && minimatch(pkg.main, f))).toBe(true);
    expect(files).toEqual(expect.arrayContaining(['dist/renderer/**', 'assets/**']));
    for (const icon of ['assets/icon.png']) {
      const png = readFileSync(join(root, icon));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(Math.min(png.readUInt32BE(16), png.readUInt32BE(20))).toBeGreaterThanOrEqual(256);
    }
    expect(readFileSync(join(root, 'assets/tray.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('every native module the shell loads is unpacked from the asar (a .node file cannot load from inside it)', () => {
    const unpack = config.asarUnpack as string[];
    const natives: string[] = [];
    const walk = (dir: string, depth: number) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        const st = statSync(p, { throwIfNoEntry: false });
        if (!st) continue;
        if (st.isDirectory() && depth < 6 && name !== '.bin') walk(p, depth + 1);
        else if (name.endsWith('.node')) natives.push(relative(root, p));
      }
    };
    for (const pkgDir of ['smartcard', '@napi-rs', '@node-rs']) walk(join(root, 'node_modules', pkgDir), 0);
    expect(natives.length).toBeGreaterThanOrEqual(3); // smartcard, keyring, argon2
    for (const file of natives)
      expect(
        unpack.some((g) => minimatch(file, g, { dot: true })),
        file,
      ).toBe(true);
    // PGlite reads its WASM and data files from disk.
    expect(unpack.some((g) => minimatch('node_modules/@electric-sql/pglite/dist/pglite.wasm', g))).toBe(true);
    // N-API modules need no rebuild; a rebuild would need Electron's headers.
    expect(config.npmRebuild).toBe(false);
  });
});

describe('Electron fuses flipped at packaging', () => {
  const fuses = config.electronFuses as Record<string, boolean>;
  it('the app binary cannot be used as a Node.js interpreter (ELECTRON_RUN_AS_NODE)', () =>
    expect(fuses.runAsNode).toBe(false));
  it('NODE_OPTIONS cannot inject code or CAs', () =>
    expect(fuses.enableNodeOptionsEnvironmentVariable).toBe(false));
  it('--inspect and SIGUSR1 cannot attach a debugger to the main process', () =>
    expect(fuses.enableNodeCliInspectArguments).toBe(false));
  it('code next to the asar cannot replace the app, and the asar is integrity-checked', () => {
    expect(fuses.onlyLoadAppFromAsar).toBe(true);
    expect(fuses.enableEmbeddedAsarIntegrityValidation).toBe(true);
  });
  it('cookies on disk are encrypted with the OS keys', () => expect(fuses.enableCookieEncryption).toBe(true));
});
