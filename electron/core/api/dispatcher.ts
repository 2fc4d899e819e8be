import type { z } from 'zod';
import {
  listChannels,
  type ApiSchema,
  type CallContext,
  type CallDef,
  type Handlers,
} from '../../../domain/api/define';
import { err, ok, toErr, type Result } from '../../../domain/result';

export interface Dispatcher {
  /** Validates the request against the schema, runs the handler, validates the answer. Never throws. */
  invoke(channel: string, req: unknown, ctx: CallContext): Promise<Result<unknown>>;
  readonly calls: readonly string[];
  readonly events: readonly string[];
}

export interface DispatcherOptions {
  /** Called on handler failures that are not `AppError`s (bugs), with the channel; never with the request. */
  onInternalError?: (channel: string, error: unknown) => void;
}

/**
 * The core side of the renderer API, shared by the Electron IPC binding and the web host.
 * The response schema is applied too: `z.object` strips unknown keys, so a handler that returns more than the
 * schema says (a token, say) cannot leak it to the renderer.
 */
export function createDispatcher<S extends ApiSchema>(
  schema: S,
  handlers: Handlers<S>,
  options: DispatcherOptions = {},
): Dispatcher {
  const calls = new Map<string, { def: CallDef; fn: (req: unknown, ctx: CallContext) => unknown }>();
  const events: string[] = [];
  for (const { channel, group, key, def } of listChannels(schema)) {
    if (def.kind === 'event') {
      events.push(channel);
      continue;
    }
    const fn = (handlers as Record<string, Record<string, (req: unknown, ctx: CallContext) => unknown>>)[
      group
    ]?.[key];
    if (typeof fn !== 'function') throw new Error(`renderer API: no handler for ${channel}`);
    calls.set(channel, { def, fn });
  }

  return {
    calls: [...calls.keys()],
    events,
    async invoke(channel, req, ctx) {
      const entry = typeof channel === 'string' ? calls.get(channel) : undefined;
      if (!entry) return err('INVALID_REQUEST', 'Unknown capability.');
      const parsed = (entry.def.req as z.ZodType).safeParse(req);
      if (!parsed.success) return err('INVALID_REQUEST', describeIssues(parsed.error));
      try {
        const value = await entry.fn(parsed.data, ctx);
        const out = (entry.def.res as z.ZodType).safeParse(value);
        if (!out.success) {
          options.onInternalError?.(
            channel,
            new Error(`response does not match schema: ${describeIssues(out.error)}`),
          );
          return err('INTERNAL', 'Une erreur inattendue est survenue.');
        }
        return ok(out.data);
      } catch (e) {
        const r = toErr(e);
        if (r.code === 'INTERNAL') options.onInternalError?.(channel, e);
        return r;
      }
    },
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'request'}: ${i.message}`)
    .join('; ');
}
