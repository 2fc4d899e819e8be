/**
 * Where mails go: an SMTP server (nodemailer), or `.eml` files in an outbox folder when embedded
 * (nodemailer's stream transport builds the exact message an SMTP server would get).
 */
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

export type MailerOptions =
  | {
      kind: 'smtp';
      host: string;
      port: number;
      secure?: boolean;
      auth?: { user: string; pass: string };
      from: string;
      ignoreTLS?: boolean;
    }
  | { kind: 'outbox-dir'; dir: string; from: string }
  | { kind: 'none' };

export interface Message {
  messageId: string;
  to: string;
  subject: string;
  text: string;
}

export interface MailTransport {
  send(m: Message): Promise<void>;
  close(): void;
}

export function createTransport(o: MailerOptions): MailTransport | null {
  if (o.kind === 'none') return null;
  if (o.kind === 'smtp') {
    const t = nodemailer.createTransport({
      host: o.host,
      port: o.port,
      secure: o.secure ?? false,
      ignoreTLS: o.ignoreTLS ?? false,
      ...(o.auth ? { auth: o.auth } : {}),
      connectionTimeout: 10_000,
      socketTimeout: 20_000,
    });
    return {
      async send(m) {
        await t.sendMail({
          from: o.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          messageId: m.messageId,
        });
      },
      close: () => t.close(),
    };
  }
  mkdirSync(o.dir, { recursive: true });
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async send(m) {
      const info = await t.sendMail({
        from: o.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        messageId: m.messageId,
      });
      const name = m.messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9@._-]/g, '_');
      const tmp = join(o.dir, `.${name}.tmp`);
      // The Message-ID names the file: a resend after a crash overwrites the same file (idempotent).
      writeFileSync(tmp, info.message as Buffer);
      renameSync(tmp, join(o.dir, `${name}.eml`));
    },
    close: () => t.close(),
  };
}
