/**
 * `npm run bench -- <name>` runs bench/<name>.bench.ts. `npm run bench` lists them.
 * A benchmark is a script, not a timed test: it prints figures and a closing JSON line (see ./lib.ts).
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();

const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.join(', ')}`);
  process.exit(name ? 2 : 0);
}
const mod = (await import(pathToFileURL(join(here, `${name}.bench.ts`)).href)) as {
  default: (args: string[]) => Promise<boolean>;
};
const pass = await mod.default(process.argv.slice(3));
process.exit(pass ? 0 : 1);
