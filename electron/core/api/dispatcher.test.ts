import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, createClient, event, type Handlers, type Transport } from '../../../domain/api/define';
import { AppError } from '../../../domain/result';
import { createDispatcher } from './dispatcher';
import { EventHub } from './event-hub';

const schema = {
  account: {
    get: call(z.object({ id: z.string().min(1) }).strict(), z.object({ id: z.string(), name: z.string() })),
    fail: call(z.void(), z.void()),
    crash: call(z.void(), z.void()),
    changed: event(z.object({ id: z.string() })),
  },
};

const handlers: Handlers<typeof schema> = {
  account: {
    // returns a secret the schema does not list: it must never cross
    get: ({ id }) => ({ id, name: 'Claire', token: 'secret-token' }) as { id: string; name: string },
    fail: () => {
      throw new AppError('ACCOUNT_BLOCKED_INACTIVITY', 'Compte bloqué.');
    },
    crash: () => {
      throw new Error('db password=hunter2');
    },
  },
};

describe('renderer API dispatcher', () => {
  const internal: string[] = [];
  const d = createDispatcher(schema, handlers, { onInternalError: (ch) => internal.push(ch) });
  const ctx = { transport: 'direct' as const };

  it('derives channels from the schema', () => {
    expect(d.calls).toEqual(['account.get', 'account.fail', 'account.crash']);
    expect(d.events).toEqual(['account.changed']);
  });

  it('answers with the value, stripped to the response schema', async () => {
    const r = await d.invoke('account.get', { id: 'a1' }, ctx);
    expect(r).toEqual({ ok: true, value: { id: 'a1', name: 'Claire' } });
    expect(JSON.stringify(r)).not.toContain('secret-token');
  });

  it('refuses requests that break the schema and unknown channels', async () => {
    expect(await d.invoke('account.get', { id: '' }, ctx)).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
    });
    expect(await d.invoke('account.get', { id: 'a', extra: 1 }, ctx)).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
    });
    expect(await d.invoke('account.changed', {}, ctx)).toMatchObject({ ok: false, code: 'INVALID_REQUEST' });
    expect(await d.invoke('__proto__', {}, ctx)).toMatchObject({ ok: false, code: 'INVALID_REQUEST' });
  });

  it('turns AppError into a coded result and hides unexpected errors', async () => {
    expect(await d.invoke('account.fail', undefined, ctx)).toEqual({
      ok: false,
      code: 'ACCOUNT_BLOCKED_INACTIVITY',
      message: 'Compte bloqué.',
    });
    const crash = await d.invoke('account.crash', undefined, ctx);
    expect(crash).toMatchObject({ ok: false, code: 'INTERNAL' });
    expect(JSON.stringify(crash)).not.toContain('hunter2');
    expect(internal).toContain('account.crash');
  });

  it('builds a client whose calls and event listeners follow the schema', async () => {
    const hub = new EventHub<typeof schema>();
    const transport: Transport = {
      invoke: (ch, req) => d.invoke(ch, req, ctx),
      subscribe: (ch, l) => hub.subscribe(ch, l),
    };
    const client = createClient(schema, transport);
    expect(await client.account.get({ id: 'x' })).toEqual({ ok: true, value: { id: 'x', name: 'Claire' } });
    const seen: string[] = [];
    const off = client.account.onChanged((p) => seen.push(p.id));
    hub.emit('account.changed', { id: 'a1' });
    off();
    hub.emit('account.changed', { id: 'a2' });
    expect(seen).toEqual(['a1']);
  });
});
