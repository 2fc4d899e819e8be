/**
 * The embedded backend in demo mode: card sign-in trusts the test IGC-Santé mirror of card-sim (the demo cards'
 * CA), e-CPS goes to a Pro Santé Connect sandbox started here (whose "phone" the demo panel answers), and the demo
 * pharmacy with its security keys is seeded.
 */
import { join } from 'node:path';
import { startPscSandbox } from '../../../backend/auth/ecps/sandbox';
import { DEMO_PEOPLE } from '../../../backend/demo/people';
import { seedDemo } from '../../../backend/demo/seed';
import { seedDemoSecurityKeys } from '../../../backend/demo/signin-seed';
import { loadTestPki } from '../../../card-sim/pki';
import type { Backend } from '../../../backend/app';
import type { EmbeddedDemo } from '../embedded-backend';

/** The embedded backend the demo seeded, so that moving the demo clock can run its jobs at once. */
let demoBackend: Backend | null = null;

/** Runs the embedded backend's jobs now (after the demo clock moved). */
export async function runEmbeddedJobs(): Promise<void> {
  await demoBackend?.jobs.runAll();
}

export const embeddedDemo: EmbeddedDemo = {
  async signin({ outboxDir, log }) {
    const pki = await loadTestPki();
    const psc = await startPscSandbox({
      people: Object.values(DEMO_PEOPLE).flatMap((p) => {
        if (!p.nationalId) return [];
        return [
          {
            nationalId: p.nationalId,
            givenName: p.firstName.toUpperCase(),
            familyName: p.lastName.toUpperCase(),
            ecps: true,
          },
        ];
      }),
    });
    log('info', 'demo sign-in: test PKI and PSC sandbox', { phone: psc.phoneUrl });
    return {
      psc,
      options: {
        lettersDir: outboxDir,
        cardAuth: {
          trustPemFiles: [join(pki.dir, 'root.pem'), join(pki.dir, 'intermediate.pem')],
          crlFiles: [join(pki.dir, 'crl.pem')],
        },
        ecps: {
          issuer: psc.issuer,
          clientId: psc.clientId,
          clientSecret: psc.clientSecret,
          allowInsecure: true,
          pollIntervalMs: 1000,
          forcePollInterval: true,
        },
      },
    };
  },
  async seed(backend, now, log) {
    demoBackend = backend;
    const seeded = await seedDemo(backend.db, now);
    if (seeded.created) log('info', 'demo pharmacy created');
    await seedDemoSecurityKeys(backend);
  },
};
