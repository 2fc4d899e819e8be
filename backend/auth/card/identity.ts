/**
 * The holder identity in a CPS certificate subject: `CN=<national id>+SN=<NOM>+GN=<PRENOM>, title=<profession>,
 * C=FR`. The first RDN is multi-valued; the attribute order inside it varies between card generations
 * (`SN=…+CN=…+GN=…` exists too), so the values are looked up by type, not by position.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const OID = { CN: '2.5.4.3', SN: '2.5.4.4', GN: '2.5.4.42', title: '2.5.4.12' } as const;

export type NationalIdKind = 'rpps' | 'adeli' | 'structure';

export interface CardHolderIdentity {
  /** `8` + RPPS (11 digits), `0` + ADELI (9 digits), or `3`/`4`/`5` + structure id + `/` + internal id (CPE). */
  nationalId: string;
  nationalIdKind: NationalIdKind;
  lastName: string;
  firstName: string;
  /** The `title` attribute: the profession label ("Pharmacien"). */
  profession: string | null;
}

export function nationalIdKind(id: string): NationalIdKind | null {
  if (/^8\d{11}$/.test(id)) return 'rpps';
  if (/^0\d{9}$/.test(id)) return 'adeli';
  if (/^[345][0-9A-Z]{9,14}\/[0-9A-Za-z]+$/.test(id)) return 'structure';
  return null;
}

/** The identity, or null if the subject does not carry a national id where a CPS puts it. */
export function identityFromSubject(name: x509.Name): CardHolderIdentity | null {
  const rdns = new x509.Name(name.toArrayBuffer(), { GN: OID.GN, title: OID.title }).toJSON();
  const first = rdns[0];
  if (!first) return null;
  const val = (t: string, oid: string) => first[t]?.[0] ?? first[oid]?.[0];
  const cn = val('CN', OID.CN);
  if (!cn) return null;
  const kind = nationalIdKind(cn);
  if (!kind) return null;
  const title = rdns.find((r) => r.title || r[OID.title]);
  return {
    nationalId: cn,
    nationalIdKind: kind,
    lastName: val('SN', OID.SN) ?? '',
    firstName: val('GN', OID.GN) ?? '',
    profession: title ? (title.title?.[0] ?? title[OID.title]?.[0] ?? null) : null,
  };
}
