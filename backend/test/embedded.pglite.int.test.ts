import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend } from '../app';
import { DEMO_PASSWORD, DEMO_PEOPLE, DEMO_PHARMACY } from '../demo/people';
import { seedDemo } from '../demo/seed';
import { headers, newWorkstation } from './harness';

const dir = mkdtempSync(join(tmpdir(), 'vigie-embedded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The embedded mode: PGlite in a data folder, mails as .eml files. PGlite only, by design (backend/vitest.project.ts).
describe('embedded backend (PGlite folder, .eml outbox)', () => {
  it('keeps its data across a restart and writes each mail once as an .eml file', async () => {
    const options = {
      database: `pglite:${join(dir, 'data')}`,
      logLevel: 'silent' as const,
      jobs: { autoStart: false },
      mailer: {
        kind: 'outbox-dir' as const,
        dir: join(dir, 'outbox'),
        from: 'Vigie <ne-pas-repondre@vigie.invalid>',
      },
      config: { argon2: { memoryCost: 4096, timeCost: 2, parallelism: 1 } },
    };
    const ws = newWorkstation('Comptoir 1');
    let b = await createBackend(options);
    expect((await seedDemo(b.db, new Date(), b.ctx.config)).created).toBe(true);
    const r = await b.app.inject({
      method: 'POST',
      url: '/v1/auth/password',
      headers: headers(ws),
      payload: { identifier: DEMO_PHARMACY.amNumber, password: DEMO_PASSWORD },
    });
    expect(r.statusCode).toBe(200);
    await b.jobs.run('mail');
    await b.jobs.run('mail');
    await b.close();

    const files = readdirSync(join(dir, 'outbox')).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const mail = await PostalMime.parse(readFileSync(join(dir, 'outbox', files[0]!)));
    expect(mail.subject).toBe('Nouvelle connexion à votre compte amelipro');
    expect(mail.to?.[0]?.address).toBe(DEMO_PEOPLE.holder.email);

    // Restart on the same folder: same data, same session, seed is a no-op.
    b = await createBackend(options);
    try {
      expect((await seedDemo(b.db, new Date(), b.ctx.config)).created).toBe(false);
      const token = (r.json() as { token: string }).token;
      const s = await b.app.inject({
        method: 'GET',
        url: '/v1/events?type=sign_in&limit=1',
        headers: headers(ws, token),
      });
      expect(s.statusCode).toBe(200);
      expect((s.json() as { events: { workstationLabel: string }[] }).events[0]?.workstationLabel).toBe(
        'Comptoir 1',
      );
      const v = await b.app.inject({ method: 'GET', url: '/v1/events/verify', headers: headers(ws, token) });
      expect(v.json()).toMatchObject({ ok: true });
    } finally {
      await b.close();
    }
  });
});
