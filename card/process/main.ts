/**
 * The card process entry: `child_process.fork` (browser mode, tests) or Electron's utilityProcess.
 * It owns PC/SC; the core talks to it with the typed messages of ./protocol.ts.
 */
import { AppError } from '../../domain/result';
import { CardStatusError } from '../apdu';
import { CardEngine } from '../engine';
import { readToCard, type CardRequest, type FromCard } from './protocol';

interface Port {
  send(m: FromCard): void;
  onMessage(cb: (m: unknown) => void): void;
}

/** Node child process (process.send) or Electron utility process (process.parentPort). */
function port(): Port {
  const parentPort = (
    process as unknown as {
      parentPort?: {
        postMessage(m: unknown): void;
        on(e: 'message', cb: (ev: { data: unknown }) => void): void;
      };
    }
  ).parentPort;
  if (parentPort)
    return {
      send: (m) => parentPort.postMessage(m),
      onMessage: (cb) => parentPort.on('message', (ev) => cb(ev.data)),
    };
  if (!process.send) throw new Error('card process: no parent to talk to');
  return { send: (m) => process.send!(m), onMessage: (cb) => process.on('message', cb) };
}

const io = port();
const engine = new CardEngine({ idleReleaseMs: Number(process.env.VIGIE_CARD_IDLE_MS ?? 500) });
const inflight = new Map<number, AbortController>();

engine.onState((state) => io.send({ type: 'state', state }));

async function run(req: CardRequest, signal: AbortSignal): Promise<unknown> {
  switch (req.op) {
    case 'getState':
      return engine.getState();
    case 'ping':
      return { pid: process.pid };
    case 'readIdentity':
      return engine.readIdentity({ fresh: req.fresh, signal });
    case 'getPinTriesLeft':
      return engine.getPinTriesLeft({ signal });
    case 'verifyPinAndSign':
      return engine.verifyPinAndSign(req.pin, req.challenge, { signal });
    case 'unblockPin':
      return { pinTriesLeft: await engine.unblockPin(req.puk, req.newPin, { signal }) };
  }
}

io.onMessage(async (raw) => {
  const m = readToCard(raw);
  if (!m) return; // Never echo a malformed message: it may hold a PIN.
  if (m.type === 'cancel') {
    inflight.get(m.id)?.abort();
    return;
  }
  if (m.type === 'debug') {
    if (process.env.VIGIE_CARD_TEST_HOOKS !== '1') return;
    if (m.action === 'crash') process.exit(70);
    const until = Date.now() + 3_600_000;
    while (Date.now() < until) {
      /* hang: the supervisor must notice and restart us */
    }
    return;
  }
  const ac = new AbortController();
  inflight.set(m.id, ac);
  try {
    const value = await run(m.request, ac.signal);
    io.send({ type: 'result', id: m.id, ok: true, value });
  } catch (e) {
    const err = e instanceof AppError ? e : new AppError('INTERNAL', 'Erreur interne du service carte.');
    io.send({
      type: 'result',
      id: m.id,
      ok: false,
      error: {
        code: err.code,
        message: err.message,
        ...(err.retryable ? { retryable: true } : {}),
        ...(e instanceof CardStatusError && e.triesLeft !== undefined ? { triesLeft: e.triesLeft } : {}),
      },
    });
  } finally {
    inflight.delete(m.id);
  }
});

process.on('disconnect', () => {
  engine.stop();
  process.exit(0);
});
process.on('SIGTERM', () => {
  engine.stop();
  process.exit(0);
});

engine.start();
io.send({ type: 'ready', pid: process.pid });
io.send({ type: 'state', state: engine.getState() });
