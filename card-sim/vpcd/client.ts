/**
 * The card's side of the vpcd protocol (vsmartcard-vpcd, the virtual reader driver of pcscd): each message is a
 * 2-byte big-endian length + payload. A 1-byte payload is a control byte (00 power off, 01 power on, 02 reset,
 * 04 get ATR; only 04 is answered); a longer one is a command APDU, answered with data ‖ SW1 SW2.
 * Connected = card in the reader; socket closed = card pulled out.
 *
 * Run it in a child process when the PC/SC client is in this process (see the deadlock note in
 * shared/reference/environment.md): ./child.ts does that.
 */
import { Socket, connect } from 'node:net';
import type { VirtualCard } from '../cards/types';

export interface VpcdOptions {
  host?: string;
  port?: number;
  /** Called for each command APDU; return 'pull' to pull the card out instead of answering. */
  onApdu?: (apdu: Uint8Array) => 'pull' | void;
}

export const vpcdHost = () => process.env.VIGIE_VPCD_HOST ?? '127.0.0.2';
export const vpcdPort = (reader = 0) => Number(process.env.VIGIE_VPCD_PORT ?? 35963) + reader;

export interface VpcdLink {
  /** Resolves when the socket closes (card pulled out, or pcscd gone). */
  readonly closed: Promise<void>;
  pull(): void;
}

export function plugIntoVpcd(card: VirtualCard, o: VpcdOptions = {}): Promise<VpcdLink> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({
      host: o.host ?? vpcdHost(),
      port: o.port ?? vpcdPort(0),
      noDelay: true,
    });
    let buf: Buffer = Buffer.alloc(0);
    let resolveClosed!: () => void;
    const closed = new Promise<void>((r) => (resolveClosed = r));
    const send = (payload: Uint8Array) => {
      const frame = Buffer.alloc(2 + payload.length);
      frame.writeUInt16BE(payload.length, 0);
      frame.set(payload, 2);
      socket.write(frame); // One write: length and payload together.
    };
    socket.once('connect', () => {
      card.reset();
      resolve({ closed, pull: () => socket.destroy() });
    });
    socket.once('error', (e) => reject(e));
    socket.on('close', () => resolveClosed());
    socket.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = new Uint8Array(buf.subarray(2, 2 + len));
        buf = buf.subarray(2 + len);
        if (len === 1) {
          const ctl = msg[0];
          if (ctl === 0x04) send(card.atr);
          else card.reset(); // power off, power on, reset: volatile state is lost.
          continue;
        }
        if (o.onApdu?.(msg) === 'pull') {
          socket.destroy();
          return;
        }
        send(card.process(msg));
      }
    });
  });
}
