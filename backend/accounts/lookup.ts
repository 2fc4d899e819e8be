/** The account row the sign-in and unblock paths read, by id, national id or identifier. */
import type { Transaction } from 'kysely';
import type { Ctx } from '../context';
import type { Database } from '../db/schema';

type Trx = Transaction<Database>;

export function accountQuery(db: Ctx['db'] | Trx) {
  return db
    .selectFrom('accounts as a')
    .innerJoin('pharmacies as ph', 'ph.id', 'a.pharmacy_id')
    .select((eb) => [
      'a.id',
      'a.kind',
      'a.display_name',
      'a.email',
      'a.created_at',
      'a.pharmacy_id',
      'a.state',
      'a.block_reason',
      'a.block_explanation',
      'a.suspicion_cause',
      'a.block_due_at',
      'a.identifier',
      'a.national_id',
      'a.postal_address',
      'ph.name as pharmacy_name',
      'ph.finess',
      'ph.address as pharmacy_address',
      eb
        .exists(
          eb
            .selectFrom('delegations as d')
            .select('d.id')
            .whereRef('d.delegate_account_id', '=', 'a.id')
            .where('d.revoked_at', 'is', null),
        )
        .as('delegated'),
    ]);
}
export type AccountRow = Awaited<ReturnType<ReturnType<typeof accountQuery>['executeTakeFirstOrThrow']>>;

/** Card and e-CPS: the account of a national id (holders and card delegates). */
export const accountByNationalId = (ctx: Ctx, nationalId: string) =>
  accountQuery(ctx.db).where('a.national_id', '=', nationalId).executeTakeFirst();
/** Password paths: the account of an identifier (Assurance Maladie number, FINESS or delegate identifier). */
export const accountByIdentifier = (ctx: Ctx, identifier: string) =>
  accountQuery(ctx.db).where('a.identifier', '=', identifier.trim()).executeTakeFirst();
