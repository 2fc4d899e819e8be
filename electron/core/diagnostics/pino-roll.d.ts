// pino-roll ships no types; the part used here (electron/core/diagnostics/logger.ts).
declare module 'pino-roll' {
  import type { DestinationStream } from 'pino';
  interface PinoRollOptions {
    file: string | (() => string);
    size?: number | string;
    frequency?: number | string;
    extension?: string;
    mkdir?: boolean;
    symlink?: boolean;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    dateFormat?: string;
    /** sonic-boom options */
    sync?: boolean;
    fsync?: boolean;
  }
  type RollStream = DestinationStream & {
    end(): void;
    flushSync(): void;
    once(ev: string, cb: () => void): void;
  };
  export default function pinoRoll(opts: PinoRollOptions): Promise<RollStream>;
}
