/**
 * Fuzzing the renderer API over the web host's token-checked WebSocket with fast-check: garbage frames,
 * random JSON, envelopes with unknown channels, and calls on every channel with requests built from the
 * channel's own keys with wrong values. A request that breaks the schema is refused with INVALID_REQUEST;
 * every answer is coded; nothing hangs; the socket stays usable (a good call still works at the end).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import WebSocket from 'ws';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listChannels } from '../domain/api/define';
import { rendererApi } from '../domain/api/renderer-api';
import { createCore, type Core } from '../electron/core/core';
import { startWebHost, type WebHost } from '../electron/web-host/server';
import { checked, count, figure, injected } from './lib/report';

const keysOf = (schema: unknown): string[] => {
  const z = schema as
    | {
        shape?: Record<string, unknown>;
        _zod?: { def?: { shape?: Record<string, unknown>; innerType?: unknown; in?: unknown } };
      }
    | undefined;
  const shape = z?.shape ?? z?._zod?.def?.shape;
  if (shape) return Object.keys(shape);
  const inner = z?._zod?.def?.innerType ?? z?._zod?.def?.in;
  return inner ? keysOf(inner) : [];
};

const value = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('', 'fr', 'en', 'cps3', '1234', '12345678', '__proto__', 'x'.repeat(3000)),
  fc.jsonValue({ maxDepth: 2 }),
);

describe('renderer API over the web host WebSocket, fuzzed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-faults-ws-'));
  let core: Core;
  let host: WebHost;
  let ws: WebSocket;
  const inbox: string[] = [];
  let wake: (() => void) | null = null;

  beforeAll(async () => {
    core = createCore({ mode: 'browser', userDataDir: dir, appVersion: 'faults' });
    await core.start();
    host = await startWebHost({ core, rendererDir: join(dir, 'none') });
    ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, {
      origin: `http://127.0.0.1:${host.port}`,
    });
    await new Promise((res, rej) => {
      ws.once('open', res);
      ws.once('error', rej);
    });
    ws.on('message', (d) => {
      inbox.push(d.toString());
      wake?.();
    });
  });
  afterAll(async () => {
    ws?.close();
    await host?.close();
    await core?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const next = async (
    ms = 10_000,
  ): Promise<{ t: string; id?: number; code?: string; res?: { ok: boolean; code?: string } }> => {
    const end = Date.now() + ms;
    while (inbox.length === 0) {
      if (Date.now() > end) throw new Error('no answer within 10 s (hang)');
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50);
      });
    }
    return JSON.parse(inbox.shift()!) as never;
  };

  it('schema violations are refused with INVALID_REQUEST, every answer is coded, the socket stays usable', async () => {
    const channels = listChannels(rendererApi).filter((c) => c.def.kind === 'call');
    const calls = channels.map((c) => ({ channel: c.channel, req: (c.def as { req: z.ZodType }).req }));
    let id = 0;
    let n = 0;
    const seen = new Map<string, number>();
    const note = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
    const frame = fc.oneof(
      {
        weight: 1,
        arbitrary: fc.string({ maxLength: 60 }).map((s) => ({ kind: 'garbage' as const, text: s })),
      },
      {
        weight: 1,
        arbitrary: fc
          .jsonValue({ maxDepth: 3 })
          .map((j) => ({ kind: 'json' as const, text: JSON.stringify(j) })),
      },
      {
        weight: 1,
        arbitrary: fc
          .record({
            t: fc.constantFrom('call', 'sub', 'unsub', 'x'),
            ch: fc.string({ maxLength: 20 }),
            id: fc.oneof(fc.integer(), fc.double(), fc.string()),
          })
          .map((o) => ({ kind: 'envelope' as const, text: JSON.stringify(o) })),
      },
      {
        weight: 6,
        arbitrary: fc
          .record({
            call: fc.constantFrom(...calls),
            values: fc.array(value, { minLength: 4, maxLength: 4 }),
            drop: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
            extra: fc.boolean(),
            raw: fc.option(value, { nil: undefined }),
          })
          .map((r) => {
            const keys = keysOf(r.call.req);
            let req: unknown = r.raw;
            if (keys.length > 0 && r.raw === undefined) {
              const o: Record<string, unknown> = {};
              keys.forEach((k, i) => {
                if (!r.drop[i % 4]) o[k] = r.values[i % 4];
              });
              if (r.extra) o.inattendu = r.values[0];
              req = o;
            }
            return { kind: 'call' as const, channel: r.call.channel, schema: r.call.req, req };
          }),
      },
    );
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(frame, async (f) => {
        n++;
        if (f.kind !== 'call') {
          // Some well-formed frames get no answer by design (sub/unsub): a probe call after each frame tells
          // what the frame itself answered (everything before the probe's result).
          ws.send(f.text);
          const probe = ++id;
          ws.send(JSON.stringify({ t: 'call', id: probe, ch: 'app.getInfo' }));
          const answers: Awaited<ReturnType<typeof next>>[] = [];
          for (let m = await next(); !(m.t === 'result' && m.id === probe); m = await next())
            if (m.t !== 'event') answers.push(m);
          for (const m of answers) {
            if (m.t === 'error') expect(m.code).toBe('INVALID_REQUEST');
            else expect(m.res?.ok === true || typeof m.res?.code === 'string').toBe(true);
          }
          note(
            `${f.kind} → ${answers.map((m) => `${m.t}${m.code ? ` ${m.code}` : ''}${m.res && !m.res.ok ? ` ${m.res.code}` : ''}`).join(',') || 'no answer (sub/unsub)'}`,
          );
          return;
        }
        const myId = ++id;
        const valid = f.schema.safeParse(f.req).success;
        ws.send(
          JSON.stringify({
            t: 'call',
            id: myId,
            ch: f.channel,
            ...(f.req === undefined ? {} : { req: f.req }),
          }),
        );
        let m = await next();
        while (m.t === 'event') m = await next(); // events may interleave
        expect(m.t).toBe('result');
        expect(m.id).toBe(myId);
        if (!valid) {
          expect(m.res, `${f.channel} ${JSON.stringify(f.req)?.slice(0, 100)}`).toMatchObject({
            ok: false,
            code: 'INVALID_REQUEST',
          });
          note('schema violation → INVALID_REQUEST');
        } else {
          expect(
            m.res?.ok === true || (typeof m.res?.code === 'string' && m.res.code !== 'INTERNAL'),
            `${f.channel}: ${JSON.stringify(m.res)}`,
          ).toBe(true);
          note(`valid call → ${m.res?.ok ? 'ok' : m.res?.code}`);
        }
        expect(ws.readyState).toBe(WebSocket.OPEN);
      }),
      {
        numRuns: count(5000, 1000),
        interruptAfterTimeLimit: count(90_000, 30_000),
        markInterruptAsFailure: false,
      },
    );
    // Still usable.
    ws.send(JSON.stringify({ t: 'call', id: ++id, ch: 'app.getInfo' }));
    let m = await next();
    while (m.t === 'event') m = await next();
    expect(m).toMatchObject({ t: 'result', id, res: { ok: true } });
    injected(
      `${n} fuzzed frames in ${Math.round(performance.now() - started)} ms over ${calls.length} call channels (garbage, random JSON, bad envelopes, wrong-valued requests)`,
    );
    figure('answers', [...seen].map(([k, v]) => `${k} ×${v}`).join('; '));
    checked(
      'every schema violation refused with INVALID_REQUEST, every answer coded, no hang, socket open, app.getInfo still answers',
    );
  });
});
