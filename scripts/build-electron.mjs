// Bundles the Electron shell: main (ESM) and the sandboxed preload (one CommonJS file, as sandboxed preloads
// cannot import). Native modules and the WASM database stay in node_modules (unpacked from the asar).
import { build } from 'esbuild';

const external = [
  'electron',
  'smartcard',
  '@napi-rs/keyring',
  '@node-rs/argon2',
  '@electric-sql/pglite',
  'pg-native',
];
const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: false,
  logLevel: 'warning',
  external,
};

await build({
  ...common,
  entryPoints: ['electron/main/main.ts'],
  outfile: 'dist/electron/main.mjs',
  format: 'esm',
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});
// The card process, started by the supervisor as an Electron utilityProcess.
await build({
  ...common,
  entryPoints: ['card/process/main.ts'],
  outfile: 'dist/electron/card-process.mjs',
  format: 'esm',
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});
await build({
  ...common,
  entryPoints: ['electron/preload/preload.ts'],
  outfile: 'dist/electron/preload.cjs',
  format: 'cjs',
});
console.log('electron shell built: dist/electron/main.mjs, preload.cjs, card-process.mjs');
