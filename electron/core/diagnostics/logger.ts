import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import pinoRoll from 'pino-roll';
import type { LogFn } from '../context';

/**
 * Logs in rotating files under the user-data folder (`logs/vigie.<n>.log`, 2 MB each, 5 kept), JSON lines by
 * pino, rotated by pino-roll in this process (no worker thread: the Electron main bundle stays one file).
 * Secrets never reach the file: the redact paths below cover every field name the app uses for them, and
 * call sites log codes and names, never values. The last warnings and errors are kept in memory (message and
 * code only, no fields) for "copy diagnostics".
 */
export const REDACT_PATHS = [
  'pin',
  'puk',
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'refreshToken',
  'accessToken',
  'privateKey',
  'authorization',
  'securityKey',
  'postalCode',
  'secret',
  '*.pin',
  '*.puk',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.refreshToken',
  '*.accessToken',
  '*.privateKey',
  '*.authorization',
  '*.securityKey',
  '*.postalCode',
  '*.secret',
  'headers.authorization',
  'req.headers.authorization',
];

export interface LogLine {
  at: string;
  level: 'warn' | 'error';
  msg: string;
  code?: string;
}

export interface FileLogger {
  readonly log: LogFn;
  readonly logger: Logger;
  readonly dir: string;
  /** The last warnings and errors, oldest first (message and code only). */
  recent(): readonly LogLine[];
  close(): Promise<void>;
}

export async function createFileLogger(
  userDataDir: string,
  opts: { level?: string; keepRecent?: number; sizeMb?: number; files?: number; now?: () => Date } = {},
): Promise<FileLogger> {
  const dir = join(userDataDir, 'logs');
  const stream = await pinoRoll({
    file: join(dir, 'vigie'),
    extension: '.log',
    size: `${opts.sizeMb ?? 2}m`,
    mkdir: true,
    limit: { count: opts.files ?? 5, removeOtherLogFiles: true },
  });
  const logger = pino(
    {
      level: opts.level ?? 'info',
      base: { app: 'vigie', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    stream,
  );
  const keep = opts.keepRecent ?? 20;
  const ring: LogLine[] = [];
  const now = opts.now ?? (() => new Date());
  const log: LogFn = (level, msg, fields) => {
    logger[level](fields ?? {}, msg);
    if (level === 'warn' || level === 'error') {
      const code =
        typeof fields?.code === 'string'
          ? fields.code
          : typeof fields?.error === 'string' && /^[A-Z_]{3,40}$/.test(fields.error)
            ? fields.error
            : undefined;
      ring.push({ at: now().toISOString(), level, msg, ...(code ? { code } : {}) });
      if (ring.length > keep) ring.shift();
    }
  };
  return {
    log,
    logger,
    dir,
    recent: () => [...ring],
    close: () =>
      new Promise<void>((resolve) => {
        try {
          stream.flushSync();
        } catch {
          // not ready yet: end() flushes
        }
        stream.once('close', () => resolve());
        stream.end();
      }),
  };
}
