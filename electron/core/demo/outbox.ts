/**
 * Demo mode: the e-CPS "phone" (the PSC sandbox of the embedded backend) and the postal letters (the PDF the mail
 * service would print, read back so the demo can show the code a person would receive), and the mails the
 * embedded backend writes as files, so the demo can show what a person would find in their mailbox.
 */
import { readdir, readFile } from 'node:fs/promises';
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

/** At most this many mail files are read to find a person's last mail (the demo's outbox stays small). */
const MAILS_READ = 200;

/** The newest mail the embedded backend wrote to `address`, as the person would read it; null if none. */
export async function lastMail(
  ctx: CoreContext,
  address: string,
): Promise<{ subject: string; text: string; sentAt: string } | null> {
  const outbox = ctx.backend.embedded()?.outboxDir;
  if (!outbox) return null;
  const dir = join(outbox, 'mail');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.eml'));
  let best: { subject: string; text: string; sentAt: string } | null = null;
  for (const name of names.slice(-MAILS_READ)) {
    const m = await PostalMime.parse(await readFile(join(dir, name)));
    if (!m.to?.some((t) => t.address?.toLowerCase() === address.toLowerCase())) continue;
    const sentAt = new Date(m.date ?? 0).toISOString();
    if (!best || sentAt > best.sentAt) best = { subject: m.subject ?? '', text: m.text ?? '', sentAt };
  }
  return best;
}
