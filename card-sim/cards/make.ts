import { resolveHolder } from '../holders';
import { loadTestPki } from '../pki';
import { VirtualCps } from './cps';
import { VirtualGarbage, VirtualVitale } from './others';
import type { VirtualCard } from './types';

export type SimProfile = 'cps3' | 'cps4' | 'vitale' | 'garbage';

export interface MakeCardOptions {
  profile?: SimProfile;
  /** A name or national id (see ../holders.ts). */
  holder?: string;
  pin?: string;
  puk?: string;
  pinTriesLeft?: number;
  answer61?: boolean;
  answer6C?: boolean;
  /** The certificates end in this many days (a card near its end), instead of the 3 years of a new CPS. */
  certValidDays?: number;
}

/** Builds a virtual card, with the holder's keys and certificates from the test PKI. */
export async function makeCard(o: MakeCardOptions = {}): Promise<VirtualCard> {
  const profile = o.profile ?? 'cps3';
  if (profile === 'vitale') return new VirtualVitale();
  if (profile === 'garbage') return new VirtualGarbage();
  const holder = resolveHolder(o.holder ?? 'Claire MARTIN');
  const pki = await loadTestPki();
  const creds =
    o.certValidDays === undefined
      ? await pki.credentialsFor(holder)
      : await pki.expiringCredentialsFor(holder, o.certValidDays);
  return new VirtualCps({
    profile,
    serial: holder.cardSerial,
    authCertPem: creds.authCertPem,
    authKeyPem: creds.authKeyPem,
    signCertPem: creds.signCertPem,
    signKeyPem: creds.signKeyPem,
    pin: o.pin,
    puk: o.puk,
    pinTriesLeft: o.pinTriesLeft,
    answer61: o.answer61,
    answer6C: o.answer6C,
    label: `${holder.firstName} ${holder.lastName} (${holder.nationalId})`,
  });
}
