import { hash, verify } from '@node-rs/argon2';
import { PASSWORD_MAX_LENGTH, passwordProblems } from '../../domain/policy';
import { AppError } from '../../domain/result';
import type { BackendConfig } from '../context';
import { PERSONAL_INPUTS_MAX, PERSONAL_INPUT_LENGTH, STRENGTH_PREFIX, type StrengthPool } from './strength';

/**
 * argon2id (the library's default algorithm; its `Algorithm` const enum breaks isolatedModules). The hashes run on
 * libuv's thread pool; at most `maxRunning` at once here and at most `maxQueue` waiting, beyond which the answer
 * is 503 UNAVAILABLE (retryable) at once instead of an ever longer queue.
 */
export class PasswordHasher {
  private dummy: Promise<string>;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(
    private readonly params: BackendConfig['argon2'],
    private readonly bounds: { maxRunning: number; maxQueue: number } = { maxRunning: 4, maxQueue: 256 },
  ) {
    // A real hash of a random secret: unknown identifiers are verified against it, so they cost the same.
    this.dummy = hash(`dummy-${Math.random()}-${Date.now()}`, params);
  }
  hash(password: string): Promise<string> {
    return this.bounded(() => hash(password.normalize('NFC'), this.params));
  }
  async verify(stored: string | null, password: string): Promise<boolean> {
    const target = stored ?? (await this.dummy);
    return this.bounded(async () => {
      try {
        const ok = await verify(target, password.normalize('NFC'));
        return stored !== null && ok;
      } catch {
        return false;
      }
    });
  }
  private async bounded<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.bounds.maxRunning) {
      if (this.waiting.length >= this.bounds.maxQueue) {
        throw new AppError('UNAVAILABLE', 'Le serveur est très sollicité : réessayez dans un instant.', true);
      }
      await new Promise<void>((r) => this.waiting.push(r));
    } else {
      this.running++;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

export interface StrengthReport {
  acceptable: boolean;
  problems: string[];
  score: number;
  warning: string | null;
  suggestions: string[];
}

/** The personal data a password must not be built on: the identifier, each word of the name, the mailbox name. */
export function personalData(who: {
  identifier: string | null;
  displayName: string;
  email: string;
}): string[] {
  return [who.identifier ?? '', ...who.displayName.split(/\s+/), who.email.split('@')[0] ?? ''];
}

/** The personal inputs zxcvbn weighs: non-empty, at most PERSONAL_INPUTS_MAX, each cut to PERSONAL_INPUT_LENGTH. */
export function boundedPersonal(personal: readonly string[]): string[] {
  return personal
    .filter((p) => p.length > 0)
    .slice(0, PERSONAL_INPUTS_MAX)
    .map((p) => p.slice(0, PERSONAL_INPUT_LENGTH));
}

/**
 * CNIL rules (domain/policy, on the whole password) + zxcvbn with the French dictionaries and the user's own data
 * as inputs, on the first STRENGTH_PREFIX characters, in the strength pool (off the event loop).
 */
export async function passwordStrength(
  pool: StrengthPool,
  password: string,
  personal: readonly string[],
  minScore: number,
): Promise<StrengthReport> {
  const problems: string[] = passwordProblems(password, [...personal]);
  // Refused without an estimate: the rules already say it is too long.
  if (password.length > PASSWORD_MAX_LENGTH)
    return { acceptable: false, problems, score: 0, warning: null, suggestions: [] };
  const r = await pool.check(password.slice(0, STRENGTH_PREFIX), boundedPersonal(personal));
  if (r.score < minScore) problems.push('too_guessable');
  return {
    acceptable: problems.length === 0,
    problems,
    score: r.score,
    warning: r.warning,
    suggestions: r.suggestions,
  };
}
