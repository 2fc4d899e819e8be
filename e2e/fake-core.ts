import { join, resolve } from 'node:path';
import type { CallContext } from '../domain/api/define';
import {
  rendererApi,
  type RendererApi,
  type VigieEventChannel,
  type VigieHandlers,
} from '../domain/api/renderer-api';
import type { EventPayload } from '../domain/api/define';
import { AppError } from '../domain/result';
import { createDispatcher, type Dispatcher } from '../electron/core/api/dispatcher';
import { EventHub } from '../electron/core/api/event-hub';
import { startWebHost, type WebHost } from '../electron/web-host/server';
import { initialState, type CardState, type FakeState, type SessionState } from './fake-core/data';
import { fakeHandlers } from './fake-core/handlers';

export {
  account,
  ACCOUNTS,
  cardState,
  makeEvents,
  reminder,
  SIGNED_IN,
  SIGNED_OUT,
  type FakeState,
} from './fake-core/data';

const RENDERER_DIR = join(resolve(import.meta.dirname, '..'), 'dist', 'renderer');

/**
 * A stand-in for the workstation core, for walking every screen with chosen data (screens.spec.ts): its handlers
 * have the real core's type (`VigieHandlers`, ./fake-core/handlers.ts), and the real dispatcher and web host serve
 * them, so a change of the renderer-API schema breaks this file's compilation, and an answer off the schema fails
 * as it would in the app. Story specs (`*.story.spec.ts`) use the real core.
 */
export class FakeCore {
  readonly state: FakeState = initialState();
  readonly events = new EventHub<RendererApi>();
  readonly dispatcher: Dispatcher = createDispatcher(rendererApi, this.answering(fakeHandlers(this)), {
    onInternalError: (channel, e) => console.error(`fake core: ${channel}: ${String(e)}`),
  });
  private host: WebHost | null = null;

  /** Serves the built renderer (npm run build:renderer) and this core; returns the page's address. */
  async serve(): Promise<string> {
    this.host = await startWebHost({ core: this, rendererDir: RENDERER_DIR });
    return this.host.url;
  }

  async close(): Promise<void> {
    await this.host?.close();
    this.host = null;
  }

  emit<C extends VigieEventChannel>(ch: C, payload: EventPayload<RendererApi, C>) {
    this.events.emit(ch, payload);
  }
  setSession(s: SessionState) {
    this.state.session = s;
    this.emit('session.state', s);
  }
  setCard(c: CardState) {
    this.state.card = c;
    this.emit('card.state', c);
  }

  /** Channels listed in `state.unavailable` answer UNAVAILABLE, to show error states. */
  private answering(handlers: VigieHandlers): VigieHandlers {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [group, fns] of Object.entries(handlers)) {
      out[group] = {};
      for (const [key, fn] of Object.entries(
        fns as Record<string, (req: unknown, ctx: CallContext) => unknown>,
      )) {
        out[group][key] = (req: unknown, ctx: CallContext) => {
          if (this.state.unavailable.has(`${group}.${key}`)) throw new AppError('UNAVAILABLE', 'not wired');
          return fn(req, ctx);
        };
      }
    }
    return out as VigieHandlers;
  }
}
