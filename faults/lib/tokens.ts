/** Tokens never appear in logs: scan captured log files / strings for every token issued. */
import { existsSync, readFileSync } from 'node:fs';

export function scanLogsForTokens(files: string[], tokens: string[], extra: string[] = []): string[] {
  const text = files
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8'))
    .concat(extra)
    .join('\n');
  return tokens
    .filter((t) => t.length >= 16 && text.includes(t))
    .map((t) => `${t.slice(0, 6)}… found in the logs`);
}
