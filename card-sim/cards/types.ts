/** A card as the reader sees it: an ATR, a reset, and one response (data ‖ SW1 SW2) per command APDU. */
export interface VirtualCard {
  readonly name: string;
  readonly atr: Uint8Array;
  /** Power-on or reset: volatile state (PIN verified, selection, security environment) is lost. */
  reset(): void;
  process(apdu: Uint8Array): Uint8Array;
}
