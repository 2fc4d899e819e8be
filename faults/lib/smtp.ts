/** A real SMTP server (smtp-server) on a fixed loopback port, so it can go down and come back on the same port. */
import { SMTPServer } from 'smtp-server';

export interface Received {
  messageId: string;
  to: string[];
}

export class Smtp {
  readonly received: Received[] = [];
  private server: SMTPServer | null = null;
  /** The next `tempFail` deliveries are refused with 451 (temporary). */
  tempFail = 0;
  constructor(public port = 0) {}

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, cb) => {
        let raw = '';
        stream.on('data', (c: Buffer) => (raw += c.toString('latin1')));
        stream.on('end', () => {
          if (this.tempFail > 0) {
            this.tempFail--;
            cb(Object.assign(new Error('try again later'), { responseCode: 451 }));
            return;
          }
          const id = /^message-id:\s*(\S+)/im.exec(raw)?.[1] ?? '';
          this.received.push({ messageId: id, to: session.envelope.rcptTo.map((r) => r.address) });
          cb();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const a = server.server.address();
    this.port = typeof a === 'object' && a ? a.port : this.port;
    this.server = server;
  }

  /** Down: the port refuses connections. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
