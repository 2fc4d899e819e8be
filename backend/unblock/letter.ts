/**
 * The letter that carries a postal unblock code: an A4 PDF made with pdfkit (standard PDF fonts, so the French
 * accents come from WinAnsi and the text layer stays searchable), written to the mail outbox with one JSON line in
 * the outbox manifest for the mail service (which prints and posts it). The manifest never holds the code.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { formatPostalCode } from './postal-code';
import { frDate } from '../mail/format';

export interface LetterInput {
  reference: string;
  /** The pharmacy as on file: name and postal address lines (street, postcode + city). */
  pharmacy: { name: string; addressLines: string[] };
  /** The person the code is for (holder or delegate) and their account. */
  recipientName: string;
  accountId: string;
  /** The plain code (printed here and nowhere else). */
  code: string;
  requestedAt: Date;
  expiresAt: Date;
}

/** The PDF, in memory. */
export function renderLetterPdf(l: LetterInput): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 62, right: 62 },
    info: {
      Title: `Votre code provisoire de déblocage – ${l.reference}`,
      Author: 'Vigie',
      Subject: 'Déblocage de votre compte amelipro',
      CreationDate: l.requestedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - 124;
  // Sender.
  doc.font('Helvetica-Bold').fontSize(11).text('Vigie', 62, 56);
  doc
    .font('Helvetica')
    .fontSize(9)
    .fillColor('#444')
    .text('Service de déblocage des comptes amelipro', { width: 240 });
  // Recipient, where a window envelope shows it.
  doc.fillColor('#000').font('Helvetica').fontSize(11);
  doc.text(
    [l.pharmacy.name, `À l'attention de ${l.recipientName}`, ...l.pharmacy.addressLines].join('\n'),
    320,
    140,
    { width: 220 },
  );
  doc.fontSize(10).text(`Le ${frDate(l.requestedAt)}`, 320, 230, { width: 220 });
  doc.text(`Référence : ${l.reference}`, 320, 245, { width: 220 });

  doc
    .font('Helvetica-Bold')
    .fontSize(13)
    .text('Votre code provisoire pour débloquer votre compte amelipro', 62, 300, { width });
  doc.moveDown(0.8).font('Helvetica').fontSize(11);
  doc.text(`Bonjour ${l.recipientName},`, { width });
  doc.moveDown(0.5);
  doc.text(
    'Vous avez demandé à débloquer votre compte amelipro sans carte CPS. Voici le code provisoire à saisir dans Vigie. ' +
      'Il ne sert qu’une seule fois.',
    { width },
  );
  doc.moveDown(1);
  doc.font('Helvetica').fontSize(10).text('Code provisoire', { width, align: 'center' });
  doc.font('Courier-Bold').fontSize(26).text(formatPostalCode(l.code), { width, align: 'center' });
  doc
    .font('Helvetica')
    .fontSize(10)
    .text(`Valable jusqu’au ${frDate(l.expiresAt)} inclus`, { width, align: 'center' });
  doc.moveDown(1.2);

  doc.font('Helvetica-Bold').fontSize(11).text('Comment faire', { width });
  doc.moveDown(0.3).font('Helvetica').fontSize(11);
  const steps = [
    'Ouvrez Vigie sur le poste de la pharmacie et choisissez « Je ne peux pas me connecter ».',
    'Saisissez votre identifiant, puis choisissez « J’ai reçu un code par courrier ».',
    'Tapez le code ci-dessus. Les tirets et les majuscules n’ont pas d’importance.',
    'Choisissez un nouveau mot de passe. Votre compte est aussitôt débloqué.',
  ];
  steps.forEach((s, i) => doc.text(`${i + 1}.  ${s}`, { width, indent: 0 }).moveDown(0.2));
  doc.moveDown(0.8);
  doc.font('Helvetica-Bold').text('Pour votre sécurité', { width });
  doc.moveDown(0.3).font('Helvetica').fontSize(10);
  doc.text(
    'Ne communiquez ce code à personne : ni l’Assurance Maladie ni Vigie ne vous le demanderont. ' +
      'Si le code a expiré, demandez-en un nouveau dans Vigie. ' +
      'Si vous n’avez pas fait cette demande, appelez le 36\u00a008 ou contactez le délégué numérique en santé de votre CPAM.',
    { width },
  );
  doc.moveDown(1);
  doc
    .fontSize(9)
    .fillColor('#444')
    .text(`Référence à rappeler en cas de question : ${l.reference}`, { width });
  doc.end();
  return done;
}

export interface OutboxLetterEntry {
  type: 'postal_unblock_code';
  reference: string;
  accountId: string;
  /** Relative to the outbox folder. */
  file: string;
  sha256: string;
  bytes: number;
  createdAt: string;
  expiresAt: string;
  recipient: { name: string; organisation: string; addressLines: string[] };
}

/**
 * Writes `letters/<reference>.pdf` into the outbox (owner-only permissions) and appends its line to
 * `letters/manifest.jsonl` (one JSON object per line, appended in one write).
 */
export async function writeLetterToOutbox(
  outboxDir: string,
  l: LetterInput,
  now: Date,
): Promise<{ pdfPath: string; manifestPath: string; entry: OutboxLetterEntry }> {
  const dir = join(outboxDir, 'letters');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pdf = await renderLetterPdf(l);
  const file = `letters/${l.reference}.pdf`;
  const pdfPath = join(outboxDir, file);
  await writeFile(pdfPath, pdf, { mode: 0o600, flag: 'wx' });
  const entry: OutboxLetterEntry = {
    type: 'postal_unblock_code',
    reference: l.reference,
    accountId: l.accountId,
    file,
    sha256: createHash('sha256').update(pdf).digest('hex'),
    bytes: pdf.length,
    createdAt: now.toISOString(),
    expiresAt: l.expiresAt.toISOString(),
    recipient: {
      name: l.recipientName,
      organisation: l.pharmacy.name,
      addressLines: l.pharmacy.addressLines,
    },
  };
  const manifestPath = join(dir, 'manifest.jsonl');
  await appendFile(manifestPath, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  return { pdfPath, manifestPath, entry };
}
