/**
 * Reads a letter back (tests, the demo, and the mail service's own checks): the text layer through poppler's
 * `pdftotext` (installed by scripts/setup-system.sh), then the code, the reference and the expiry date.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CODE_ALPHABET } from './postal-code';

const run = promisify(execFile);

export async function pdfText(pdf: Buffer | string): Promise<string> {
  let dir: string | null = null;
  let path = typeof pdf === 'string' ? pdf : '';
  if (typeof pdf !== 'string') {
    dir = await mkdtemp(join(tmpdir(), 'vigie-letter-'));
    path = join(dir, 'letter.pdf');
    await writeFile(path, pdf);
  }
  try {
    const { stdout } = await run('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-'], {
      maxBuffer: 4 << 20,
    });
    return stdout;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error('pdftotext is missing: run scripts/setup-system.sh (poppler-utils)', { cause: e });
    throw e;
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

const A = `[${CODE_ALPHABET}]`;
const CODE = new RegExp(`(?<![A-Z0-9-])(${A}{4}(?:-${A}{1,4}){2,7})(?![A-Z0-9-])`);

export interface LetterContents {
  text: string;
  /** The code without dashes, as the user would type it. */
  code: string | null;
  reference: string | null;
  /** "2 décembre 2026" */
  validUntil: string | null;
}

/** From the PDF (bytes, or a file path). */
export async function readLetter(pdf: Buffer | string): Promise<LetterContents> {
  return letterFromText(await pdfText(typeof pdf === 'string' ? await readFile(pdf) : pdf));
}

export function letterFromText(text: string): LetterContents {
  return {
    text,
    code: text.match(CODE)?.[1]?.replace(/-/g, '') ?? null,
    reference: text.match(/Référence : (VG-[A-Z0-9]+)/)?.[1] ?? null,
    validUntil: text.match(/Valable jusqu’au (.+?) inclus/)?.[1] ?? null,
  };
}
