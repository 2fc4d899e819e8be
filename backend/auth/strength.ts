/**
 * Password strength estimation (zxcvbn-ts with the French dictionaries) off the event loop: a few worker threads
 * and a bounded queue. zxcvbn costs up to hundreds of milliseconds of CPU for some inputs of a few dozen
 * characters (repeated dates, mixed repeats); on the event loop, a handful of such requests would stall every
 * other request. When the queue is full, the answer is 503 UNAVAILABLE (retryable) at once.
 *
 * The workers are plain CommonJS evaluated from a string and load zxcvbn from this package's node_modules, so the
 * same code runs under tsx, vitest and a bundled build. If a worker cannot start, estimation falls back to this
 * thread (and says so in the log) rather than refusing every password.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../domain/result';

export interface StrengthScore {
  score: number;
  warning: string | null;
  suggestions: string[];
}

/** Only this many characters are scored: a prefix can only be estimated weaker than the whole, never stronger. */
export const STRENGTH_PREFIX = 48;
/** At most this many personal inputs (name parts, identifier, e-mail), each cut to this length. */
export const PERSONAL_INPUTS_MAX = 8;
export const PERSONAL_INPUT_LENGTH = 64;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { ZxcvbnFactory } = require(workerData.core);
const common = require(workerData.common);
const fr = require(workerData.fr);
const z = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...fr.dictionary },
  graphs: common.adjacencyGraphs,
  translations: fr.translations,
});
parentPort.on('message', (m) => {
  try {
    const r = z.check(m.password, m.personal);
    parentPort.postMessage({ id: m.id, score: r.score, warning: r.feedback.warning || null, suggestions: r.feedback.suggestions });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e) });
  }
});
`;

interface Job {
  id: number;
  password: string;
  personal: string[];
  resolve(s: StrengthScore): void;
  reject(e: unknown): void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

export interface StrengthPoolOptions {
  /** Worker threads (default: the cores minus one for the event loop, at least 1, at most 4). */
  size?: number;
  /** Checks waiting for a worker beyond which the answer is 503 at once (default 32). */
  maxQueue?: number;
}

export class StrengthPool {
  private slots: Slot[] = [];
  private queue: Job[] = [];
  private next = 1;
  private closed = false;
  private inline: ((password: string, personal: string[]) => StrengthScore) | null = null;
  private readonly size: number;
  private readonly maxQueue: number;

  constructor(
    o: StrengthPoolOptions = {},
    private readonly warn: (msg: string, err?: unknown) => void = () => undefined,
  ) {
    this.size = o.size ?? Math.max(1, Math.min(4, availableParallelism() - 1));
    this.maxQueue = o.maxQueue ?? 32;
  }

  /** The zxcvbn estimate of `password` (already cut to its prefix) with the personal inputs. */
  check(password: string, personal: string[]): Promise<StrengthScore> {
    if (this.closed) return Promise.reject(new AppError('UNAVAILABLE', 'Le serveur s’arrête.', true));
    if (this.inline) return Promise.resolve(this.inline(password, personal));
    if (this.slots.length === 0) this.start();
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(
        new AppError('UNAVAILABLE', 'Le serveur est très sollicité : réessayez dans un instant.', true),
      );
    }
    return new Promise<StrengthScore>((resolve, reject) => {
      this.queue.push({ id: this.next++, password, personal, resolve, reject });
      this.pump();
    });
  }

  /** How many checks are waiting for a worker (for tests and the bench). */
  get waiting(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue.splice(0)) j.reject(new AppError('UNAVAILABLE', 'Le serveur s’arrête.', true));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }

  private start() {
    const req = createRequire(import.meta.url);
    let workerData: Record<string, string>;
    try {
      workerData = {
        core: req.resolve('@zxcvbn-ts/core'),
        common: req.resolve('@zxcvbn-ts/language-common'),
        fr: req.resolve('@zxcvbn-ts/language-fr'),
      };
    } catch (err) {
      this.fallBack(err);
      return;
    }
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn(workerData));
  }

  private spawn(workerData: Record<string, string>): Slot {
    const slot: Slot = { worker: new Worker(WORKER_SOURCE, { eval: true, workerData }), job: null };
    slot.worker.unref();
    slot.worker.on('message', (m: { id: number; error?: string } & StrengthScore) => {
      const job = slot.job;
      slot.job = null;
      if (job && job.id === m.id) {
        if (m.error) job.reject(new Error(m.error));
        else job.resolve({ score: m.score, warning: m.warning, suggestions: m.suggestions });
      }
      this.pump();
    });
    slot.worker.on('error', (err) => {
      this.warn('password strength worker failed', err);
      slot.job?.reject(err);
      slot.job = null;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (this.closed) return;
      if (this.slots.length === 0 && !this.inline) {
        try {
          this.slots.push(this.spawn(workerData));
        } catch (e) {
          this.fallBack(e);
        }
      }
      this.pump();
    });
    return slot;
  }

  private fallBack(err: unknown) {
    this.warn('password strength workers unavailable: estimating on the main thread', err);
    const req = createRequire(import.meta.url);
    const { ZxcvbnFactory } = req('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
    const common = req('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    const fr = req('@zxcvbn-ts/language-fr') as typeof import('@zxcvbn-ts/language-fr');
    const z = new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...fr.dictionary },
      graphs: common.adjacencyGraphs,
      translations: fr.translations,
    });
    this.inline = (password, personal) => {
      const r = z.check(password, personal);
      return { score: r.score, warning: r.feedback.warning || null, suggestions: r.feedback.suggestions };
    };
    for (const j of this.queue.splice(0)) j.resolve(this.inline(j.password, j.personal));
  }

  private pump() {
    for (const slot of this.slots) {
      if (slot.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      slot.worker.postMessage({ id: job.id, password: job.password, personal: job.personal });
    }
  }
}
