import { DEMO_PASSWORD, DEMO_PEOPLE } from '../../../backend/demo/people';
import type { VigieHandlers } from '../../../domain/api/renderer-api';
import { AppError } from '../../../domain/result';
import { startVirtualCard, type VirtualCardProcess } from '../../../card-sim/vpcd/spawn';
import type { CoreContext } from '../context';
import type { DemoClock } from './clock';
import { runEmbeddedJobs } from './embedded';
import { answerEcps, lastLetter, mailbox } from './outbox';

const SITUATIONS: Record<string, string> = {
  holder: 'Titulaire, carte CPS, compte actif',
  employee: 'Carte CPS à son nom, compte actif',
  accountantSoon: 'Comptable, bloqué dans 5 jours',
  accountantBlocked: 'Comptable, bloqué pour inactivité (clé de sécurité : 14/07/1979, 75011, 4821)',
  suspicious: 'Bloqué pour activité suspecte',
};

/**
 * « Cartes de démonstration »: plugs virtual CPS cards of the demo people into the private virtual reader (at
 * `vpcdPort`, null when it cannot run here), as a person would insert and pull a real card. `stop` pulls the card.
 */
export function demoHandlers(
  ctx: CoreContext,
  vpcdPort: () => number | null,
  clock: DemoClock,
): { handlers: VigieHandlers['demo']; stop(): Promise<void> } {
  let current: VirtualCardProcess | null = null;
  let busy: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = busy.then(fn, fn);
    busy = next.catch(() => undefined);
    return next;
  };
  const pull = async () => {
    const card = current;
    current = null;
    if (card) await card.stop();
    return card !== null;
  };

  const handlers: VigieHandlers['demo'] = {
    people: () => ({
      available: true,
      people: Object.values(DEMO_PEOPLE).map((p) => ({
        id: p.key,
        displayName: p.displayName,
        role: p.role,
        situation: SITUATIONS[p.key] ?? '',
        hasCard: p.nationalId !== null,
        identifier: p.identifier,
        password: p.identifier ? DEMO_PASSWORD : null,
      })),
    }),
    insertCard: ({ personId, profile, certValidDays }) =>
      serial(async () => {
        const port = vpcdPort();
        if (port === null)
          throw new AppError('READER_NONE', 'Le lecteur de démonstration n’est pas disponible sur ce poste.');
        const person = Object.values(DEMO_PEOPLE).find((p) => p.key === personId);
        if (!person?.nationalId) throw new AppError('NOT_FOUND', 'Cette personne n’a pas de carte.');
        await pull();
        current = await startVirtualCard({
          holder: person.nationalId,
          profile,
          port,
          ...(certValidDays !== undefined ? { certValidDays } : {}),
        });
        ctx.log('info', 'demo card inserted', { person: person.key, profile, certValidDays });
        return { inserted: true };
      }),
    removeCard: () =>
      serial(async () => {
        return { removed: await pull() };
      }),
    answerEcps: ({ approve }) => answerEcps(ctx, approve),
    advanceClock: async ({ minutes }) => {
      const now = clock.advance(minutes * 60_000);
      ctx.log('info', 'demo clock moved forward', { minutes, now: now.toISOString() });
      // What the backend's timers would have done by then: blocks, reminders, delegation ends, mails.
      await runEmbeddedJobs();
      // The reminder scheduler sleeps up to minutes: it plans for the moved clock now, as after a resume.
      await ctx.workstation.reminders.wake('demo-clock').catch(() => undefined);
      return { now: now.toISOString() };
    },
    lastLetter: () => lastLetter(ctx),
    mailbox: async ({ personId }) => {
      const person = Object.values(DEMO_PEOPLE).find((p) => p.key === personId);
      if (!person) throw new AppError('NOT_FOUND', 'Personne inconnue.');
      return { mails: await mailbox(ctx, person.email) };
    },
  };
  return { handlers, stop: () => serial(pull).then(() => undefined) };
}
