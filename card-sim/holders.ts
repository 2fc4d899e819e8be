/** The people of the demo and tests. National ids are in the ANS test range (8997…), never real RPPS numbers. */
export interface SimHolder {
  /** `8` + RPPS (11 digits): 12 characters. */
  nationalId: string;
  lastName: string;
  firstName: string;
  /** The `title` of the certificate subject. */
  profession: string;
  /** Card serial (10 digits), written in EF.SN.ICC after the issuer prefix 80 25 00 00 01. */
  cardSerial: string;
  /** Listed in the test CRL. */
  revoked?: boolean;
}

export const HOLDERS: readonly SimHolder[] = [
  {
    nationalId: '899700012345',
    lastName: 'MARTIN',
    firstName: 'CLAIRE',
    profession: 'Pharmacien',
    cardSerial: '2900012345',
  },
  {
    nationalId: '899700067890',
    lastName: 'PETIT',
    firstName: 'JULIEN',
    profession: 'Pharmacien',
    cardSerial: '2900067890',
  },
  {
    nationalId: '899700099991',
    lastName: 'REVOQUE',
    firstName: 'PAUL',
    profession: 'Pharmacien',
    cardSerial: '2900099991',
    revoked: true,
  },
];

const norm = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();

/**
 * A holder from a name ("Claire MARTIN", "martin claire", "MARTIN") or a national id.
 * Anything else becomes a custom holder: "Prénom NOM[:8997xxxxxxxx]" or a bare 12-digit national id.
 */
export function resolveHolder(query: string): SimHolder {
  const q = norm(query);
  const byId = HOLDERS.find((h) => h.nationalId === query.trim());
  if (byId) return byId;
  const byName = HOLDERS.find((h) => {
    const a = norm(`${h.firstName} ${h.lastName}`);
    const b = norm(`${h.lastName} ${h.firstName}`);
    return q === a || q === b || q === norm(h.lastName);
  });
  if (byName) return byName;
  const [namePart, idPart] = query.split(':');
  let nationalId = idPart?.trim();
  if (!nationalId && /^[08]\d{8,11}$/.test(query.trim())) nationalId = query.trim();
  const words = /^[08]\d{8,11}$/.test(query.trim())
    ? ['TEST', 'PERSONNE']
    : (namePart ?? '').trim().split(/\s+/);
  const lastName = norm(
    words.filter((w) => w === w.toUpperCase() && /\p{L}/u.test(w)).join(' ') || words.at(-1) || 'TEST',
  );
  const firstName = norm(
    words.filter((w) => norm(w) !== lastName && !lastName.split(' ').includes(norm(w))).join(' ') || 'TEST',
  );
  if (!nationalId) {
    // A stable id in the test range from the name.
    let h = 7;
    for (const c of `${firstName} ${lastName}`) h = (h * 31 + c.charCodeAt(0)) % 1_000_000;
    nationalId = `899701${String(h).padStart(6, '0')}`;
  }
  if (!/^(8\d{11}|0\d{9})$/.test(nationalId))
    throw new Error(`national id must be 8+RPPS (12 digits) or 0+ADELI (10 digits): ${nationalId}`);
  return {
    nationalId,
    lastName,
    firstName,
    profession: 'Pharmacien',
    cardSerial: `29${nationalId.slice(-8)}`,
  };
}
