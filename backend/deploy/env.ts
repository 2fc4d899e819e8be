/**
 * What the backend reads from its environment about where it is deployed: which reverse proxies it trusts for
 * the client's address, and the key of the events chains. Each refuses the settings that would silently
 * weaken the backend.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type { Db } from '../db/connect';
import { sealUnsealedChains } from '../events/chain';

/** Fastify's `trustProxy` as a function: is the `hop`-th address (0 = the socket's peer) a trusted proxy? */
export type TrustProxyFn = (addr: string, hop: number) => boolean;

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * TRUST_PROXY: unset or `0` trusts no proxy (the socket's address is the client's); a comma-separated list of
 * the proxies' addresses or CIDRs (`10.0.0.5`, `10.0.0.0/24`, `::1`), the recommended form; or a hop count
 * (`1` for one reverse proxy in front), which is honoured only when the nearest proxy connects from this
 * machine (loopback): a hop count alone cannot tell a proxy from a client that wrote the header itself, which
 * is why Fastify ignores bare hop counts. `true` (trust every hop) is refused: anyone could then choose their
 * address with X-Forwarded-For, escape the per-address throttles and write a forged address into the log.
 */
export function trustProxyFromEnv(value: string | undefined): TrustProxyFn | string[] | false {
  const v = (value ?? '').trim();
  if (v === '' || v === '0') return false;
  if (/^[0-9]{1,2}$/.test(v)) {
    const hops = Number(v);
    return (addr, hop) => (hop === 0 ? LOOPBACK.test(addr) : hop < hops);
  }
  if (/^(true|yes|on|all|\*)$/i.test(v)) {
    throw new Error(
      'TRUST_PROXY=true would trust every X-Forwarded-For hop: give the number of proxies in front (1) or their addresses/CIDRs',
    );
  }
  const list = v.split(',').map((s) => s.trim());
  for (const entry of list) {
    const [addr, prefix, extra] = entry.split('/');
    const family = isIP(addr ?? '');
    const max = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= max);
    if (!family || !prefixOk || extra !== undefined)
      throw new Error(`TRUST_PROXY: not an address or CIDR: ${entry}`);
    if (prefix !== undefined && Number(prefix) === 0)
      throw new Error(`TRUST_PROXY: ${entry} would trust every address`);
  }
  return list;
}

/**
 * The events key (see events/key.ts): EVENTS_KEY_FILE names a file of at least 32 bytes (raw, or hex /
 * base64 text). Without it, an embedded store (`pglite:<folder>`) gets a key file created next to its folder,
 * never inside it; a PostgreSQL store is refused, since its key must be kept apart from the database by the
 * operator. `null` for an in-memory store (the development key is used). `created`: the key file was made
 * now, so the store's chains (if any) were written before it existed (see `sealChainsOfNewKey`).
 */
export function eventsKeyFromEnv(
  env: NodeJS.ProcessEnv,
  database: string,
): { key: Buffer; created: boolean } | null {
  if (env.EVENTS_KEY_FILE) return { key: readKeyFile(env.EVENTS_KEY_FILE), created: false };
  if (/^postgres(ql)?:\/\//.test(database)) {
    throw new Error(
      'EVENTS_KEY_FILE is required with a PostgreSQL store (create one: head -c 32 /dev/urandom > events.key)',
    );
  }
  const folder = database.startsWith('pglite:') ? database.slice('pglite:'.length) : '';
  if (folder === '' || folder === 'memory') return null;
  const file = join(dirname(resolve(folder)), 'events.key');
  let created = false;
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32), { mode: 0o600, flag: 'wx' });
    created = true;
  }
  chmodSync(file, 0o600);
  return { key: readKeyFile(file), created };
}

/**
 * An embedded store that gets its first key has chains written before it: they are sealed once, on the
 * decision that whoever created the key owns the store as it is. Later starts never seal by themselves.
 */
export async function sealChainsOfNewKey(
  db: Db,
  key: { created: boolean } | null,
  log: (msg: string) => void,
): Promise<void> {
  if (!key?.created) return;
  const r = await sealUnsealedChains(db);
  if (r.sealed || r.refused.length)
    log(`events key created: ${r.sealed} chains sealed, ${r.refused.length} refused (they do not verify)`);
}

function readKeyFile(file: string): Buffer {
  const raw = readFileSync(file);
  const text = raw.toString('utf8').trim();
  let key = raw;
  if (/^[0-9a-fA-F]{64,}$/.test(text)) key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/=_-]{43,}$/.test(text)) key = Buffer.from(text, 'base64');
  if (key.length < 32) throw new Error(`${file}: the events key must be at least 32 bytes`);
  return key;
}
