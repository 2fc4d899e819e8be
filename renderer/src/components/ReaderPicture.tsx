import type { CardStatus } from '../../../domain/card';

/** A drawing of the reader, with the card in its slot or not (UX.md: "Card"). Decorative: the text says it all. */
export function ReaderPicture({ status }: { status: CardStatus }) {
  const cardIn = status === 'present' || status === 'busy' || status === 'error';
  const noReader = status === 'no-reader' || status === 'no-service';
  return (
    <svg
      className="reader-picture"
      viewBox="0 0 160 120"
      aria-hidden="true"
      focusable="false"
      data-status={status}
    >
      {cardIn && (
        <g className="reader-card">
          <rect x="45" y="8" width="70" height="62" rx="6" />
          <rect x="56" y="22" width="18" height="14" rx="2" className="reader-chip" />
          <rect x="56" y="46" width="44" height="5" rx="2" className="reader-line" />
        </g>
      )}
      <rect
        x="20"
        y="60"
        width="120"
        height="50"
        rx="10"
        className={noReader ? 'reader-body reader-off' : 'reader-body'}
      />
      <rect x="40" y="66" width="80" height="6" rx="3" className="reader-slot" />
      <circle cx="124" cy="96" r="5" className={cardIn ? 'reader-led reader-led-on' : 'reader-led'} />
    </svg>
  );
}
