import { z } from 'zod';
import type { Result } from '../result';

/**
 * The renderer API is one schema (see ./renderer-api.ts). Everything else is derived from it:
 * channel names, the renderer-side client type, the core-side handler type, the preload object and the
 * web-host binding. Nobody types a channel string by hand.
 */
export interface CallDef<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly kind: 'call';
  readonly req: Req;
  readonly res: Res;
}
export interface EventDef<P extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly payload: P;
}
export type Def = CallDef | EventDef;
export type ApiSchema = Record<string, Record<string, Def>>;

/** A request/response capability. `req` is validated by the core before any handler runs. */
export const call = <Req extends z.ZodType, Res extends z.ZodType>(
  req: Req,
  res: Res,
): CallDef<Req, Res> => ({
  kind: 'call',
  req,
  res,
});
/** A value pushed by the core to the renderer. */
export const event = <P extends z.ZodType>(payload: P): EventDef<P> => ({ kind: 'event', payload });

type CallKeys<G> = { [K in keyof G]: G[K] extends CallDef ? K : never }[keyof G] & string;
type EventKeys<G> = { [K in keyof G]: G[K] extends EventDef ? K : never }[keyof G] & string;

export type Unsubscribe = () => void;

/** What the renderer sees: `api.card.getState()` and `api.card.onState(cb)`. */
export type Client<S extends ApiSchema> = {
  readonly [G in keyof S]: {
    readonly [K in CallKeys<S[G]>]: S[G][K] extends CallDef<infer Req, infer Res>
      ? (
          ...req: z.input<Req> extends void | undefined ? [] : [z.input<Req>]
        ) => Promise<Result<z.output<Res>>>
      : never;
  } & {
    readonly [K in EventKeys<S[G]> as `on${Capitalize<K>}`]: S[G][K] extends EventDef<infer P>
      ? (listener: (payload: z.output<P>) => void) => Unsubscribe
      : never;
  };
};

/** Who is calling: the core uses it for logs and per-caller limits, never for trust. */
export interface CallContext {
  readonly transport: 'ipc' | 'websocket' | 'direct';
}

/** What the core implements: one function per call; it may throw `AppError`. */
export type Handlers<S extends ApiSchema> = {
  readonly [G in keyof S]: {
    readonly [K in CallKeys<S[G]>]: S[G][K] extends CallDef<infer Req, infer Res>
      ? (req: z.output<Req>, ctx: CallContext) => Promise<z.input<Res>> | z.input<Res>
      : never;
  };
};

export type CallChannel<S extends ApiSchema> = { [G in keyof S & string]: `${G}.${CallKeys<S[G]>}` }[keyof S &
  string];
export type EventChannel<S extends ApiSchema> = {
  [G in keyof S & string]: `${G}.${EventKeys<S[G]>}`;
}[keyof S & string];
export type EventPayload<S extends ApiSchema, C extends EventChannel<S>> = C extends `${infer G}.${infer K}`
  ? S[G][K] extends EventDef<infer P>
    ? z.output<P>
    : never
  : never;

export interface ChannelInfo {
  readonly channel: string;
  readonly group: string;
  readonly key: string;
  readonly def: Def;
}

export function listChannels(schema: ApiSchema): ChannelInfo[] {
  const out: ChannelInfo[] = [];
  for (const [group, defs] of Object.entries(schema)) {
    for (const [key, def] of Object.entries(defs)) out.push({ channel: `${group}.${key}`, group, key, def });
  }
  return out;
}

export const eventMethodName = (key: string) => `on${key.charAt(0).toUpperCase()}${key.slice(1)}`;

/** How a client reaches the core: Electron IPC (preload) or the loopback WebSocket (browser mode). */
export interface Transport {
  invoke(channel: string, req: unknown): Promise<Result<unknown>>;
  subscribe(channel: string, listener: (payload: unknown) => void): Unsubscribe;
}

/** Builds the renderer-side object from the schema over any transport. */
export function createClient<S extends ApiSchema>(schema: S, transport: Transport): Client<S> {
  const client: Record<string, Record<string, unknown>> = {};
  for (const { channel, group, key, def } of listChannels(schema)) {
    const g = (client[group] ??= {});
    if (def.kind === 'call') g[key] = (req?: unknown) => transport.invoke(channel, req);
    else g[eventMethodName(key)] = (listener: (p: unknown) => void) => transport.subscribe(channel, listener);
  }
  return client as Client<S>;
}
