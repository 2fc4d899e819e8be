/**
 * The demo's security keys: every password account of the demo pharmacy answers the same personal information, so
 * that anyone trying the unblock wizard can type it (public on purpose, like the demo password). Idempotent.
 */
import type { Backend } from '../app';
import { setSecurityKey } from '../unblock/security-key';
import { DEMO_PEOPLE, DEMO_SECURITY_KEY } from './people';

export { DEMO_SECURITY_KEY };

export async function seedDemoSecurityKeys(backend: Backend): Promise<void> {
  const ids = Object.values(DEMO_PEOPLE).flatMap((p) => (p.identifier ? [p.identifier] : []));
  const rows = await backend.db.selectFrom('accounts').select('id').where('identifier', 'in', ids).execute();
  const now = backend.ctx.clock.now();
  for (const { id } of rows) {
    if (await backend.signin.securityKeys.get(id)) continue;
    await setSecurityKey(
      backend.signin.securityKeys,
      id,
      { ...DEMO_SECURITY_KEY },
      now,
      backend.signin.fields,
    );
  }
}
