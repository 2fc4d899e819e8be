/**
 * The workstation's own memory of each account's events chain: the hash of every event it has shown (with its
 * date and type, to name it later), up to a bound per account. The server's chain can be rewritten by whoever
 * writes its database; these checkpoints are on another machine, so the person can see when an event they
 * already saw is no longer the same. A retention purge moves the chain's anchor forward: events at or below
 * the anchor are forgotten here without alarm; anything else that changed or vanished is named.
 *
 * A checkpoint is never overwritten by what the server says later: once the history differs, it keeps
 * differing until the person has seen the warning and reported it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the workstation keeps per event it showed: its hash, date and type. */
export type Checkpoint = [hash: string, at: string, type: string];
export type AccountCheckpoints = Record<string, Checkpoint>;

export interface SeenEvent {
  seq: number;
  hash?: string | undefined;
  at: string;
  type: string;
}

/** The first event the workstation showed that the server no longer has as it was. */
export interface HistoryChange {
  seq: number;
  at: string;
  type: string;
  /** `altered`: the event at this place differs; `missing`: it is gone without a purge. */
  problem: 'altered' | 'missing';
}

export const MAX_PER_ACCOUNT = 2000;

/** Adds the events not yet known (never replaces a known one), keeping the newest `max`. */
export function remember(
  known: AccountCheckpoints,
  events: readonly SeenEvent[],
  max = MAX_PER_ACCOUNT,
): AccountCheckpoints {
  const next: AccountCheckpoints = { ...known };
  for (const e of events) {
    if (!e.hash || next[String(e.seq)]) continue;
    next[String(e.seq)] = [e.hash, e.at, e.type];
  }
  const seqs = Object.keys(next).map(Number);
  if (seqs.length > max) {
    seqs.sort((a, b) => a - b);
    for (const s of seqs.slice(0, seqs.length - max)) delete next[String(s)];
  }
  return next;
}

/** Forgets what a retention purge removed (at or below the anchor); says whether anything was. */
export function afterPurge(
  known: AccountCheckpoints,
  anchorSeq: number,
): { kept: AccountCheckpoints; purged: number } {
  const kept: AccountCheckpoints = {};
  let purged = 0;
  for (const [seq, cp] of Object.entries(known)) {
    if (Number(seq) <= anchorSeq) purged++;
    else kept[seq] = cp;
  }
  return { kept, purged };
}

/**
 * Compares what the workstation showed with what the server has now (`current`: seq → hash, for a range of
 * seqs fetched from the server, `from`..`to` inclusive). Returns the lowest differing event, or null.
 */
export function firstChange(
  known: AccountCheckpoints,
  current: ReadonlyMap<number, string>,
  range: { from: number; to: number },
): HistoryChange | null {
  const seqs = Object.keys(known)
    .map(Number)
    .filter((s) => s >= range.from && s <= range.to)
    .sort((a, b) => a - b);
  for (const seq of seqs) {
    const [hash, at, type] = known[String(seq)]!;
    const now = current.get(seq);
    if (now === undefined) return { seq, at, type, problem: 'missing' };
    if (now !== hash) return { seq, at, type, problem: 'altered' };
  }
  return null;
}

/** The checkpoints file, next to the settings (no secret in it: hashes, dates and types of events). */
export class CheckpointStore {
  private readonly file: string;
  private data: Record<string, AccountCheckpoints> | null = null;

  constructor(dir: string) {
    this.file = join(dir, 'event-checkpoints.json');
  }

  private load(): Record<string, AccountCheckpoints> {
    if (this.data) return this.data;
    try {
      const raw = existsSync(this.file)
        ? (JSON.parse(readFileSync(this.file, 'utf8')) as { accounts?: unknown })
        : {};
      const accounts =
        raw.accounts && typeof raw.accounts === 'object'
          ? (raw.accounts as Record<string, AccountCheckpoints>)
          : {};
      this.data = accounts;
    } catch {
      // An unreadable file is kept aside: starting over only means no warning until events are shown again.
      if (existsSync(this.file)) renameSync(this.file, `${this.file}.corrupt-${Date.now()}`);
      this.data = {};
    }
    return this.data;
  }

  get(accountId: string): AccountCheckpoints {
    return this.load()[accountId] ?? {};
  }

  set(accountId: string, cps: AccountCheckpoints): void {
    const all = this.load();
    all[accountId] = cps;
    mkdirSync(join(this.file, '..'), { recursive: true });
    writeFileSync(`${this.file}.tmp`, JSON.stringify({ version: 1, accounts: all }), { mode: 0o600 });
    renameSync(`${this.file}.tmp`, this.file);
  }
}
