/**
 * The SMTP sink of the simulation: a real SMTP server (smtp-server) that the backend's mail job sends to, and that
 * keeps only what the model needs of each mail: recipient, subject and the block date a reminder names.
 */
import { SMTPServer } from 'smtp-server';
import PostalMime from 'postal-mime';

export interface SinkMail {
  to: string;
  subject: string;
  /** For reminders: the date written in the mail ("le 12 juillet 2027"). */
  dateText: string | null;
}

export class MailSink {
  private fresh: SinkMail[] = [];
  total = 0;
  private server: SMTPServer;
  port = 0;
  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          PostalMime.parse(Buffer.concat(chunks))
            .then((m) => {
              const text = m.text ?? '';
              for (const r of session.envelope.rcptTo) {
                this.total++;
                this.fresh.push({
                  to: r.address,
                  subject: m.subject ?? '',
                  dateText: text.match(/le (\d{1,2} [a-zéû]+ \d{4})/)?.[1] ?? null,
                });
              }
              cb();
            })
            .catch((e: Error) => cb(e));
        });
      },
    });
  }
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    const a = this.server.server.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
  }
  /** The mails received since the last call. */
  take(): SinkMail[] {
    const f = this.fresh;
    this.fresh = [];
    return f;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Which reminder a subject is (days before the block), or null. Subjects from backend/mail/templates. */
export function reminderDaysOf(subject: string): number | null {
  if (!subject.includes('sera bloqué')) return null;
  if (subject.includes('demain')) return 1;
  const m = subject.match(/dans (\d+) jours/);
  return m ? Number(m[1]) : null;
}
export const SIGN_IN_SUBJECT = 'Nouvelle connexion à votre compte amelipro';
