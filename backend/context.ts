import type { Logger } from 'pino';
import type { Db } from './db/connect';
import type { StrengthPool } from './auth/strength';
import {
  DEFAULT_ACCOUNT_THROTTLE,
  DEFAULT_IP_THROTTLE,
  DEFAULT_MAIL_REMINDER_DAYS,
  DEFAULT_REMINDER_DAYS,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  type ThrottlePolicy,
} from '../domain/policy';

/** Time is an input: the server's clock decides blocks. Tests move it. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface BackendConfig {
  /** Reminder offsets shown by the app (days before the block date). */
  reminderDays: readonly number[];
  /** Reminder offsets that are also e-mailed. */
  mailReminderDays: readonly number[];
  /** Events older than this are purged (the chain stays verifiable through an anchor). */
  eventRetentionMonths: number;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  accountThrottle: ThrottlePolicy;
  ipThrottle: ThrottlePolicy;
  /**
   * argon2id parameters (`@node-rs/argon2`): defaults are OWASP's second profile, m = 19 MiB, t = 2, p = 1
   * (≈ 10 ms per hash on the project's machines). Stored in each PHC string, so raising them later only
   * affects new hashes.
   */
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  /** zxcvbn score required for a new password (0..4). */
  minPasswordScore: number;
  /** Shown in the mails ("depuis le poste …") and the OpenAPI document. */
  version: string;
}

export const defaultConfig: BackendConfig = {
  reminderDays: DEFAULT_REMINDER_DAYS,
  mailReminderDays: DEFAULT_MAIL_REMINDER_DAYS,
  eventRetentionMonths: 12,
  sessionIdleMs: SESSION_IDLE_MS,
  sessionAbsoluteMs: SESSION_ABSOLUTE_MS,
  accountThrottle: DEFAULT_ACCOUNT_THROTTLE,
  ipThrottle: DEFAULT_IP_THROTTLE,
  argon2: { memoryCost: 19456, timeCost: 2, parallelism: 1 },
  minPasswordScore: 3,
  version: '0.1.0',
};

export interface Ctx {
  db: Db;
  /** Password strength estimation, off the event loop (strength.ts). */
  strength: StrengthPool;
  dbKind: 'pglite' | 'postgres';
  clock: Clock;
  config: BackendConfig;
  log: Logger;
}
