/**
 * Strangers: attack campaigns against a sample of accounts, through the same HTTP API. Forged card sign-ins (a
 * look-alike certificate from a CA nobody trusts, and the account's real certificate with a signature from another
 * key), password floods from rotating workstation ids and addresses, e-CPS pushes to the owner's phone (the owner
 * refuses or ignores them), and postal-code spoiling (letters requested, wrong codes typed). The goal: no block and
 * no lock-out of the owner.
 */
import { randomUUID } from 'node:crypto';
import { PARAMS } from '../population';
import { chance, int, streamFor, weighted } from '../rng';
import type { Account } from './types';

export type AttackKind = keyof typeof PARAMS.strangers.kinds;

export interface Campaign {
  n: number;
  day: number;
  hour: number;
  kind: AttackKind;
  /** Which live account, as a fraction of the list at that day. */
  target: number;
  beforeOwner: boolean;
}

export function drawCampaigns(seed: number, accounts: number, days: number): Campaign[] {
  const r = streamFor(seed, 'strangers');
  const total = Math.round((PARAMS.strangers.campaignsPer100AccountsYear * accounts * days) / 100 / 365);
  const out: Campaign[] = [];
  for (let n = 0; n < total; n++)
    out.push({
      n,
      day: int(r, 0, days - 1),
      hour: 8 + r() * 10,
      kind: weighted(r, PARAMS.strangers.kinds),
      target: r(),
      beforeOwner: chance(r, PARAMS.strangers.beforeOwnerShare),
    });
  return out.sort((a, b) => a.day - b.day || a.n - b.n);
}

/** The kind of attack that fits the account: password attacks need an identifier, card attacks a national id. */
export function fitKind(kind: AttackKind, a: Account): AttackKind {
  const password = a.kind === 'password_delegate';
  if (password && (kind === 'forged-card' || kind === 'ecps-push'))
    return kind === 'forged-card' ? 'password-flood' : 'postal-spoil';
  if (!password && (kind === 'password-flood' || kind === 'postal-spoil'))
    return kind === 'password-flood' ? 'forged-card' : 'ecps-push';
  return kind;
}

export const attackerWs = () => ({ id: randomUUID(), label: 'PC' });
export const attackerIp = (n: number, k: number) => `198.51.100.${(n * 7 + k) % 250}`;
