/**
 * What the main process tells the preload about the renderer API: the global's name and each channel with its
 * kind, derived from the schema by main (electron/main/preload-manifest.ts, same format) and read back here.
 * Pure, no `electron`.
 */
export interface PreloadManifest {
  global: string;
  channels: [string, 'call' | 'event'][];
}

export const MANIFEST_FLAG = '--vigie-api=';
const CHANNEL = /^[a-z][a-zA-Z]{0,30}\.[a-z][a-zA-Z]{0,40}$/;
const GLOBAL = /^[a-z][a-zA-Z]{0,30}$/;

/** Null when absent or malformed (then nothing is exposed, and the renderer says the app is unavailable). */
export function parsePreloadManifest(argv: readonly string[]): PreloadManifest | null {
  const arg = argv.find((a) => a.startsWith(MANIFEST_FLAG));
  if (!arg) return null;
  try {
    const m = JSON.parse(decodeURIComponent(arg.slice(MANIFEST_FLAG.length))) as PreloadManifest;
    if (typeof m.global !== 'string' || !GLOBAL.test(m.global) || !Array.isArray(m.channels)) return null;
    const ok = m.channels.every(
      (c) =>
        Array.isArray(c) &&
        typeof c[0] === 'string' &&
        CHANNEL.test(c[0]) &&
        (c[1] === 'call' || c[1] === 'event'),
    );
    return ok ? { global: m.global, channels: m.channels.map(([ch, kind]) => [ch, kind]) } : null;
  } catch {
    return null;
  }
}
