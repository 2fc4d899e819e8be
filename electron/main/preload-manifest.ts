import { listChannels } from '../../domain/api/define';
import { PRELOAD_GLOBAL, rendererApi } from '../../domain/api/renderer-api';

/**
 * The renderer API's channel list for the sandboxed preload, derived from the one schema here (main holds it) and
 * passed as `webPreferences.additionalArguments`; the preload reads it back (electron/preload/manifest.ts, same
 * format: `--vigie-api=` + URI-encoded JSON `{ global, channels: [[channel, kind], …] }`).
 */
export const MANIFEST_FLAG = '--vigie-api=';

export function preloadManifestArg(): string {
  const channels = listChannels(rendererApi).map(({ channel, def }) => [channel, def.kind]);
  return MANIFEST_FLAG + encodeURIComponent(JSON.stringify({ global: PRELOAD_GLOBAL, channels }));
}
