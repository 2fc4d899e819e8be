/**
 * The events log: append-only, one hash chain per account.
 * hash(e) = SHA-256( prev_hash ‖ "\n" ‖ seq ‖ "\n" ‖ canonical JSON of the event's fields, account included ).
 * `event_chains` holds, per account, the head (last seq + hash) — its row lock serialises appends, also across
 * backend instances — and the retention anchor (seq + hash of the last purged event).
 *
 * The hash chain alone shows accidental damage, not a rewrite: whoever can write the database can edit an
 * event and recompute every hash after it. So the server also keeps, per chain, a checkpoint (`seal_seq`,
 * `seal_hash`) and the retention anchor, each with an HMAC-SHA-256 under the events key, which lives outside
 * the database (a file or the OS keychain, see `useEventsKey`). A checkpoint moves forward only from a point
 * that is itself sealed: when this process appends after the sealed head, or after walking the chain from the
 * checkpoint to the head (`verifyChain` with `reseal`). Events appended by the one-statement sign-in
 * (auth/password-fast.ts) are covered from the next check on.
 */
import { sql, type Transaction } from 'kysely';
import type { VerifyResponse } from '../../domain/backend-api';
import type { Db } from '../db/connect';
import type { AuthMethod, Database } from '../db/schema';
import { eventHash, GENESIS_HASH, rowToHashable, type Hashable, type NewEvent } from './hash';
import { anchorAt, mac, macOk, sealAt } from './key';

/** Creates the (empty) chain of a new account, in the account's creation transaction. */
export async function createChain(trx: Transaction<Database>, accountId: string): Promise<void> {
  await trx
    .insertInto('event_chains')
    .values({
      account_id: accountId,
      seq: 0,
      head_hash: GENESIS_HASH,
      ...anchorAt(accountId, 0, GENESIS_HASH),
      anchor_at: null,
      ...sealAt(accountId, 0, GENESIS_HASH),
    })
    .execute();
}

/**
 * Appends events (any accounts, in the given order per account) inside the caller's transaction, so the
 * events commit together with what they record (and with the outbox mails). Locks each chain head row.
 */
export async function appendEvents(trx: Transaction<Database>, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const ids = [...new Set(events.map((e) => e.accountId))].sort();
  const heads = await trx
    .selectFrom('event_chains')
    .select(['account_id', 'seq', 'head_hash', 'seal_seq', 'seal_hash', 'seal_mac'])
    .where('account_id', 'in', ids)
    .orderBy('account_id')
    .forUpdate()
    .execute();
  // A chain whose head is the server's own keyed checkpoint stays sealed as this process extends it.
  const head = new Map(
    heads.map((h) => [
      h.account_id,
      {
        seq: Number(h.seq),
        hash: h.head_hash,
        sealed:
          Number(h.seal_seq) === Number(h.seq) &&
          h.seal_hash === h.head_hash &&
          macOk(mac('seal', h.account_id, Number(h.seq), h.head_hash), h.seal_mac),
      },
    ]),
  );
  const rows = events.map((e) => {
    const h = head.get(e.accountId);
    if (!h) throw new Error('event chain missing for account');
    const x: Hashable = {
      accountId: e.accountId,
      seq: h.seq + 1,
      at: e.at,
      type: e.type,
      method: e.method ?? null,
      outcome: e.outcome,
      workstationId: e.workstationId ?? null,
      workstationLabel: e.workstationLabel ?? null,
      ip: e.ip ?? null,
      appVersion: e.appVersion ?? null,
      cardSerial: e.cardSerial ?? null,
      details: e.details ?? {},
    };
    const hash = eventHash(h.hash, x);
    const prev = h.hash;
    h.seq = x.seq;
    h.hash = hash;
    return {
      account_id: x.accountId,
      seq: x.seq,
      at: x.at,
      type: x.type,
      method: x.method as AuthMethod | null,
      outcome: x.outcome as NewEvent['outcome'],
      workstation_id: x.workstationId,
      workstation_label: x.workstationLabel,
      ip: x.ip,
      app_version: x.appVersion,
      card_serial: x.cardSerial,
      details: JSON.stringify(x.details),
      prev_hash: prev,
      hash,
    };
  });
  if (ids.length === 1 && rows.length <= 1000) {
    // The common case (one account): insert and move the head in one statement.
    const h = head.get(ids[0]!)!;
    await trx
      .with('ins', (db) => db.insertInto('events').values(rows))
      .updateTable('event_chains')
      .set({ seq: h.seq, head_hash: h.hash, ...(h.sealed ? sealAt(ids[0]!, h.seq, h.hash) : {}) })
      .where('account_id', '=', ids[0]!)
      .execute();
    return;
  }
  for (let i = 0; i < rows.length; i += 1000)
    await trx
      .insertInto('events')
      .values(rows.slice(i, i + 1000))
      .execute();
  const touched = ids.map((id) => {
    const h = head.get(id)!;
    return { id, seq: h.seq, hash: h.hash, mac: h.sealed ? sealAt(id, h.seq, h.hash).seal_mac : null };
  });
  await sql`
    update event_chains as c set seq = v.seq, head_hash = v.hash,
      seal_seq = case when v.mac is null then c.seal_seq else v.seq end,
      seal_hash = case when v.mac is null then c.seal_hash else v.hash end,
      seal_mac = coalesce(v.mac, c.seal_mac)
    from (values ${sql.join(touched.map((t) => sql`(${t.id}::uuid, ${t.seq}::bigint, ${t.hash}, ${t.mac}::text)`))}) as v(account_id, seq, hash, mac)
    where c.account_id = v.account_id`.execute(trx);
}

/**
 * Walks the chain from its anchor; names the first event that is altered, missing or out of place, or the
 * first point where the chain no longer matches the server's keyed anchor or checkpoint (`rewritten`: events
 * up to there were edited and the hashes recomputed, or a purge was faked). With `reseal`, a chain that
 * verifies gets its checkpoint moved to its head.
 */
export async function verifyChain(
  db: Db,
  accountId: string,
  opts: { reseal?: boolean } = {},
): Promise<VerifyResponse> {
  const chain = await db
    .selectFrom('event_chains')
    .selectAll()
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!chain) return { accountId, ok: true, checked: 0, anchorSeq: 0, firstBad: null };
  const anchorSeq = Number(chain.anchor_seq);
  const sealSeq = Number(chain.seal_seq);
  let prev = chain.anchor_hash;
  let expected = anchorSeq + 1;
  let checked = 0;
  const bad = (
    seq: number,
    id: number | null,
    problem: NonNullable<VerifyResponse['firstBad']>['problem'],
  ): VerifyResponse => ({
    accountId,
    ok: false,
    checked,
    anchorSeq,
    firstBad: { seq, id, problem },
  });
  // The anchor is keyed by the purge job and the checkpoint by the server: without the key, neither moves.
  if (!macOk(mac('anchor', accountId, anchorSeq, chain.anchor_hash), chain.anchor_mac))
    return bad(expected, null, 'rewritten');
  if (!macOk(mac('seal', accountId, sealSeq, chain.seal_hash), chain.seal_mac))
    return bad(Math.max(sealSeq, expected), null, 'rewritten');
  if (sealSeq < anchorSeq || (sealSeq === anchorSeq && chain.seal_hash !== chain.anchor_hash))
    return bad(expected, null, 'rewritten');
  for (;;) {
    const page = await db
      .selectFrom('events')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('seq', '>=', expected)
      .orderBy('seq')
      .limit(2000)
      .execute();
    for (const r of page) {
      const seq = Number(r.seq);
      if (seq !== expected) return bad(expected, null, 'missing');
      if (r.prev_hash !== prev) return bad(seq, Number(r.id), 'link_broken');
      if (eventHash(prev, rowToHashable(r)) !== r.hash) return bad(seq, Number(r.id), 'altered');
      if (seq === sealSeq && r.hash !== chain.seal_hash) return bad(seq, Number(r.id), 'rewritten');
      prev = r.hash;
      expected++;
      checked++;
    }
    if (page.length < 2000) break;
  }
  if (expected - 1 < sealSeq) return bad(expected, null, 'missing');
  // Events before the anchor that should have been purged, or rows whose seq was moved below it, count as
  // tampering only if they break the suffix; the head catches a deleted tail.
  if (Number(chain.seq) !== expected - 1) {
    return Number(chain.seq) > expected - 1
      ? bad(expected, null, 'missing')
      : bad(Number(chain.seq) + 1, null, 'head_mismatch');
  }
  if (chain.head_hash !== prev) return bad(expected - 1, null, 'head_mismatch');
  if (opts.reseal && expected - 1 > sealSeq) {
    // Only if nothing was appended meanwhile (the head is still the one just verified).
    await db
      .updateTable('event_chains')
      .set(sealAt(accountId, expected - 1, prev))
      .where('account_id', '=', accountId)
      .where('seq', '=', expected - 1)
      .where('head_hash', '=', prev)
      .where('seal_seq', '<', expected - 1)
      .execute();
  }
  return { accountId, ok: true, checked, anchorSeq, firstBad: null };
}

/**
 * Seals the chains that have no keyed checkpoint yet (created before the key existed), after checking their
 * hashes. An operator runs it once, on a store they trust as it is (`npm run backend -- seal-events`): the
 * server never seals an unsealed chain on its own, since a rewrite could have removed the MACs.
 */
export async function sealUnsealedChains(db: Db): Promise<{ sealed: number; refused: string[] }> {
  const rows = await db
    .selectFrom('event_chains')
    .select('account_id')
    .where((eb) => eb.or([eb('seal_mac', 'is', null), eb('anchor_mac', 'is', null)]))
    .execute();
  let sealed = 0;
  const refused: string[] = [];
  for (const { account_id } of rows) {
    await db.transaction().execute(async (trx) => {
      const c = await trx
        .selectFrom('event_chains')
        .selectAll()
        .where('account_id', '=', account_id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('event_chains')
        .set({
          ...anchorAt(account_id, Number(c.anchor_seq), c.anchor_hash),
          ...sealAt(account_id, Number(c.anchor_seq), c.anchor_hash),
        })
        .where('account_id', '=', account_id)
        .execute();
      const v = await verifyChain(trx, account_id, { reseal: true });
      if (v.ok) sealed++;
      else {
        refused.push(account_id);
        await trx
          .updateTable('event_chains')
          .set({
            seal_mac: c.seal_mac,
            anchor_mac: c.anchor_mac,
            seal_seq: c.seal_seq,
            seal_hash: c.seal_hash,
          })
          .where('account_id', '=', account_id)
          .execute();
      }
    });
  }
  return { sealed, refused };
}
