import type { ErrorCode } from './errors';

/** What crosses every seam (renderer API, card process, backend client): data, never a thrown error. */
export type Ok<T> = { ok: true; value: T };
export type Err = { ok: false; code: ErrorCode; message: string; retryable?: boolean };
export type Result<T> = Ok<T> | Err;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = (code: ErrorCode, message: string, retryable?: boolean): Err =>
  retryable === undefined ? { ok: false, code, message } : { ok: false, code, message, retryable };

/** An error that carries a stable code; thrown inside a process, turned into `Err` at its edge. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function toErr(e: unknown): Err {
  if (e instanceof AppError) return err(e.code, e.message, e.retryable || undefined);
  return err('INTERNAL', 'Une erreur inattendue est survenue.');
}
