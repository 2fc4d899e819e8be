/**
 * Demo mode: the e-CPS "phone" (the PSC sandbox of the embedded backend) and the postal letters (the PDF the mail
 * service would print, read back so the demo can show the code a person would receive), and the mails the
 * embedded backend writes as files, so the demo can show what a person would find in their mailbox.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import PostalMime from 'postal-mime';
import { join } from 'node:path';
import { readLetter } from '../../../backend/unblock/letter-reader';
import { AppError } from '../../../domain/result';
import type { CoreContext } from '../context';

export async function answerEcps(ctx: CoreContext, approve: boolean): Promise<{ answered: boolean }> {
  const psc = ctx.backend.embedded()?.psc;
  if (!psc) throw new AppError('UNAVAILABLE', 'Le téléphone de démonstration (e-CPS) n’est pas disponible.');
  // The backend answers the workstation first and reaches Pro Santé Connect just after: the request may still be
  // on its way to the phone when the demo panel answers it.
  const pending = psc.pending();
  const last = pending[pending.length - 1] ?? (await psc.waitForPending(undefined, 5000).catch(() => null));
  if (!last) return { answered: false };
  await (approve ? psc.approve(last.authReqId) : psc.refuse(last.authReqId));
  ctx.log('info', 'demo e-CPS request answered', { approve });
  return { answered: true };
}

export async function lastLetter(
  ctx: CoreContext,
): Promise<{ reference: string; code: string; pdfBase64: string } | null> {
  const outbox = ctx.backend.embedded()?.outboxDir;
  if (!outbox) return null;
  const manifest = await readFile(join(outbox, 'letters', 'manifest.jsonl'), 'utf8').catch(() => '');
  const lines = manifest.trim().split('\n').filter(Boolean);
  const last = lines.length
    ? (JSON.parse(lines[lines.length - 1]!) as { reference: string; file: string })
    : null;
  if (!last || !/^letters\/VG-[A-Z0-9]+\.pdf$/.test(last.file)) return null;
  const pdf = await readFile(join(outbox, last.file));
  const letter = await readLetter(pdf);
  if (!letter.code) return null;
  return { reference: last.reference, code: letter.code, pdfBase64: pdf.toString('base64') };
}

/** At most this many mail files are read to fill a mailbox (the demo's outbox stays small). */
const MAILS_READ = 200;
/** A mailbox shows this many mails, newest first. */
export const MAILBOX_SIZE = 5;

export interface DemoMail {
  subject: string;
  text: string;
  sentAt: string;
}

/**
 * The newest mails the embedded backend wrote to `address`, newest first, as the person would read them. Files are
 * ordered by when they were written (to the millisecond): the Date header has whole seconds only, and one run of the
 * mail job writes several mails within the same second.
 */
export async function mailbox(ctx: CoreContext, address: string): Promise<DemoMail[]> {
  const outbox = ctx.backend.embedded()?.outboxDir;
  if (!outbox) return [];
  const dir = join(outbox, 'mail');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.eml'));
  const files = await Promise.all(
    names.map(async (name) => {
      const path = join(dir, name);
      const written = await stat(path).then(
        (s) => s.mtimeMs,
        () => -1,
      );
      return { path, written };
    }),
  );
  files.sort((a, b) => b.written - a.written || (a.path < b.path ? 1 : -1));
  const mails: DemoMail[] = [];
  for (const f of files.slice(0, MAILS_READ)) {
    if (f.written < 0) continue;
    const m = await PostalMime.parse(await readFile(f.path));
    if (!m.to?.some((t) => t.address?.toLowerCase() === address.toLowerCase())) continue;
    mails.push({ subject: m.subject ?? '', text: m.text ?? '', sentAt: new Date(f.written).toISOString() });
    if (mails.length === MAILBOX_SIZE) break;
  }
  return mails;
}
