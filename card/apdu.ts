/**
 * ISO 7816-4 command and response APDUs (short form), and the meaning of status words for a CPS card
 * (shared/reference/cps-card.md §7). Hand-written: no maintained npm library covers ISO 7816 for our case
 * (the card-sim has its own, separate reading of the same rules).
 */
import { AppError } from '../domain/result';
import type { ErrorCode } from '../domain/errors';
import { toHex, type Bytes } from './bytes';

export interface Command {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Bytes;
  /** Expected response length, 1..256 (256 is encoded 00). Absent: no Le. */
  le?: number;
}

export interface Response {
  data: Bytes;
  sw: number;
}

export const SW_OK = 0x9000;

export function encodeCommand(c: Command): Bytes {
  const n = c.data?.length ?? 0;
  if (n > 255) throw new AppError('INTERNAL', `APDU data too long (${n}); use command chaining`);
  if (c.le !== undefined && (c.le < 1 || c.le > 256))
    throw new AppError('INTERNAL', `Le out of range: ${c.le}`);
  const out = new Uint8Array(4 + (n ? 1 + n : 0) + (c.le === undefined ? 0 : 1));
  out[0] = c.cla;
  out[1] = c.ins;
  out[2] = c.p1;
  out[3] = c.p2;
  if (n) {
    out[4] = n;
    out.set(c.data!, 5);
  }
  if (c.le !== undefined) out[out.length - 1] = c.le & 0xff;
  return out;
}

export function parseResponse(raw: Bytes): Response {
  if (raw.length < 2)
    throw new AppError('CARD_PROTOCOL', `La carte a répondu sans mot d'état (${raw.length} octet(s)).`);
  return { data: raw.subarray(0, raw.length - 2), sw: (raw[raw.length - 2]! << 8) | raw[raw.length - 1]! };
}

export const swHex = (sw: number) => sw.toString(16).toUpperCase().padStart(4, '0');

/** What a status word means, as a stable error code. `what` tells which secret a 63Cx / 6983 is about. */
export function swCode(sw: number, what: 'pin' | 'puk' | 'none' = 'none'): ErrorCode {
  if ((sw & 0xfff0) === 0x63c0) {
    if (what === 'puk') return (sw & 0x0f) === 0 ? 'CARD_PUK_BLOCKED' : 'CARD_PUK_WRONG';
    return (sw & 0x0f) === 0 ? 'CARD_PIN_BLOCKED' : 'CARD_PIN_WRONG';
  }
  switch (sw) {
    case 0x6983:
      return what === 'puk' ? 'CARD_PUK_BLOCKED' : 'CARD_PIN_BLOCKED';
    case 0x6982:
      return 'CARD_SECURITY_NOT_SATISFIED';
    case 0x6a82:
    case 0x6a88:
      return 'CARD_FILE_NOT_FOUND';
    case 0x6985:
    case 0x6a80:
    case 0x6a86:
    case 0x6700:
    case 0x6d00:
    case 0x6e00:
    case 0x6986:
    case 0x6b00:
      return 'CARD_PROTOCOL';
    default:
      return 'CARD_PROTOCOL';
  }
}

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  CARD_PIN_WRONG: 'Code porteur erroné.',
  CARD_PIN_BLOCKED: 'Le code porteur est bloqué : il faut le code de déblocage (PUK, 8 chiffres).',
  CARD_PUK_WRONG: 'Code de déblocage erroné.',
  CARD_PUK_BLOCKED: 'Le code de déblocage est bloqué : la carte doit être remplacée.',
  CARD_SECURITY_NOT_SATISFIED: "Le code porteur n'a pas été présenté.",
  CARD_FILE_NOT_FOUND: 'Fichier ou application absent de la carte.',
  CARD_PROTOCOL: 'La carte a refusé la commande.',
};

/** A card refusal, with the status word and, for 63Cx, the tries left. */
export class CardStatusError extends AppError {
  constructor(
    readonly sw: number,
    code: ErrorCode,
    readonly triesLeft?: number,
  ) {
    super(
      code,
      `${MESSAGES[code] ?? 'Erreur de la carte.'} (SW ${swHex(sw)}${triesLeft !== undefined ? `, ${triesLeft} essai(s) restant(s)` : ''})`,
    );
  }
}

export function swError(sw: number, what: 'pin' | 'puk' | 'none' = 'none'): CardStatusError {
  const code = swCode(sw, what);
  const tries = (sw & 0xfff0) === 0x63c0 ? sw & 0x0f : sw === 0x6983 ? 0 : undefined;
  return new CardStatusError(sw, code, tries);
}

export const describe = (c: Command) => toHex(encodeCommand(c));
