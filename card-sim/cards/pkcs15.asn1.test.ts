/**
 * An independent reading of the virtual CPS3's structure: its EF.DIR and PKCS#15 files, read with raw APDUs,
 * decoded with asn1js (not card/'s TLV reader, not card-sim's writer) against the ASN.1 of PKCS#15 v1.1 /
 * ISO 7816-15, must hold the objects the real card was seen with (cps3-real-traces.md A5).
 */
import * as asn1js from 'asn1js';
import { beforeAll, describe, expect, it } from 'vitest';
import { cat, hex, unhex, type Bytes } from '../ber';
import { resolveHolder } from '../holders';
import { loadTestPki } from '../pki';
import { VirtualCps } from './cps';

let card: VirtualCps;
let authCertDer: string;

beforeAll(async () => {
  const holder = resolveHolder('Claire MARTIN');
  const creds = await (await loadTestPki()).credentialsFor(holder);
  card = new VirtualCps({ profile: 'cps3', serial: holder.cardSerial, ...creds });
  authCertDer = Buffer.from(creds.authCertPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')
    .toString('hex')
    .toUpperCase();
}, 60_000);

/** SELECT by full path (no FCP), then READ BINARY to the end, in ≤ 0xE7 chunks. */
function readFile(path: string): Bytes {
  expect(hex(card.process(unhex(`00A4090C${(path.length / 2).toString(16).padStart(2, '0')}${path}`)))).toBe(
    '9000',
  );
  const parts: Bytes[] = [];
  for (let offset = 0; ;) {
    const r = card.process(unhex(`00B0${offset.toString(16).padStart(4, '0')}E7`));
    const sw = hex(r.subarray(-2));
    expect(['9000', '6282']).toContain(sw);
    parts.push(r.subarray(0, -2));
    offset += r.length - 2;
    if (sw === '6282' || r.length - 2 < 0xe7) return cat(...parts);
  }
}

const ctx = (tagNumber: number) => ({ idBlock: { tagClass: 3, tagNumber } });
const Path = (name: string) =>
  new asn1js.Sequence({
    name,
    value: [
      new asn1js.OctetString({ name: `${name}.efidOrPath` }),
      new asn1js.Integer({ name: `${name}.index`, optional: true }),
      new asn1js.Primitive({ name: `${name}.length`, optional: true, ...ctx(0) }),
      new asn1js.Primitive({ name: `${name}.aid`, optional: true, idBlock: { tagClass: 2, tagNumber: 15 } }),
    ],
  });
const CommonObjectAttributes = new asn1js.Sequence({
  name: 'common',
  value: [
    new asn1js.Utf8String({ name: 'label', optional: true }),
    new asn1js.BitString({ name: 'flags', optional: true }),
    new asn1js.OctetString({ name: 'authId', optional: true }),
    new asn1js.Integer({ name: 'userConsent', optional: true }),
    new asn1js.Sequence({
      name: 'accessControlRules',
      optional: true,
      value: [new asn1js.Repeated({ value: new asn1js.Any() })],
    }),
  ],
});

/** Decodes `der` (one or more objects) and checks each against `schema`; returns the named parts of each. */
function decodeAll(der: Bytes, schema: Parameters<typeof asn1js.compareSchema>[2]): Decoded[] {
  const out: Decoded[] = [];
  let rest = new Uint8Array(der).buffer;
  while (rest.byteLength > 0 && new Uint8Array(rest)[0] !== 0x00) {
    const parsed = asn1js.fromBER(rest);
    expect(parsed.offset, 'BER decoding').toBeGreaterThan(0);
    const v = asn1js.compareSchema(parsed.result, parsed.result, schema);
    expect(v.verified, `schema: ${(v.result as { error?: string }).error ?? ''}`).toBe(true);
    out.push(v.result as Decoded);
    rest = rest.slice(parsed.offset);
  }
  return out;
}
/** The named parts of a decoded object. */
type Decoded = Record<string, unknown>;
const primitive = (v: unknown) => new Uint8Array((v as asn1js.Primitive).valueBlock.valueHexView);
const text = (v: unknown) => (v as asn1js.Utf8String).valueBlock.value;
const octets = (v: unknown) => hex(new Uint8Array((v as asn1js.OctetString).valueBlock.valueHexView));
const int = (v: unknown) => (v as asn1js.Integer).valueBlock.valueDec;
/** Bit numbers set in a named-bit-list BIT STRING. */
const bits = (v: unknown) => {
  const b = new Uint8Array((v as asn1js.BitString).valueBlock.valueHexView);
  return [...b].flatMap((x, i) =>
    [0, 1, 2, 3, 4, 5, 6, 7].filter((k) => x & (0x80 >> k)).map((k) => 8 * i + k),
  );
};

describe('PKCS#15 of the virtual CPS3, read with asn1js', () => {
  it('EF.DIR: the applications « CPX IAS » and « CPX IAS CL », 101 bytes', () => {
    const dir = readFile('3F002F00');
    expect(dir.length).toBe(101);
    const App = new asn1js.Constructed({
      idBlock: { tagClass: 2, tagNumber: 1 },
      value: [
        new asn1js.Primitive({ name: 'aid', idBlock: { tagClass: 2, tagNumber: 15 } }),
        new asn1js.Primitive({ name: 'label', idBlock: { tagClass: 2, tagNumber: 16 } }),
        new asn1js.Constructed({
          name: 'ddo',
          optional: true,
          idBlock: { tagClass: 2, tagNumber: 19 },
          value: [new asn1js.Any()],
        }),
      ],
    });
    const apps = decodeAll(dir, App).map((a) => [
      hex(primitive(a.aid)),
      Buffer.from(primitive(a.label)).toString('latin1'),
    ]);
    expect(apps).toEqual([
      ['E828BD080F8025000001FF0010', 'CPX IAS'],
      ['E828BD080F8025000001FF0020', 'CPX IAS CL'],
    ]);
  });

  it('ODF, TokenInfo (label, manufacturer, algorithm references), AODF, PrKDF and CDF', () => {
    // ODF: PKCS15Objects CHOICE, each by Path.
    const odfEntries = decodeAll(
      readFile('3F0000015031'),
      new asn1js.Choice({
        value: [0, 4, 8].map(
          (n) => new asn1js.Constructed({ name: `objects${n}`, ...ctx(n), value: [Path(`p${n}`)] }),
        ),
      }),
    );
    const paths = Object.fromEntries(
      odfEntries.map((e) => {
        const n = Object.keys(e)
          .find((k) => /^objects\d$/.test(k))!
          .slice(7);
        return [n, octets(e[`p${n}.efidOrPath`])];
      }),
    );
    expect(paths).toEqual({ '0': '3F0000017002', '4': '3F0000017005', '8': '3F0000017001' });

    const AlgorithmInfo = new asn1js.Sequence({
      name: 'algo',
      value: [
        new asn1js.Integer({ name: 'reference' }),
        new asn1js.Integer({ name: 'algorithm' }),
        new asn1js.Any({ name: 'parameters' }),
        new asn1js.BitString({ name: 'supportedOperations' }),
        new asn1js.ObjectIdentifier({ name: 'algId', optional: true }),
        new asn1js.Integer({ name: 'algRef', optional: true }),
      ],
    });
    const [token] = decodeAll(
      readFile('3F0000015032'),
      new asn1js.Sequence({
        value: [
          new asn1js.Integer({ name: 'version' }),
          new asn1js.OctetString({ name: 'serialNumber' }),
          new asn1js.Utf8String({ name: 'manufacturerID', optional: true }),
          new asn1js.Primitive({ name: 'label', optional: true, ...ctx(0) }),
          new asn1js.BitString({ name: 'tokenflags' }),
          new asn1js.Constructed({
            name: 'algos',
            optional: true,
            ...ctx(2),
            value: [new asn1js.Repeated({ name: 'algoList', value: AlgorithmInfo })],
          }),
          new asn1js.Constructed({
            name: 'lastUpdate',
            optional: true,
            ...ctx(5),
            value: [new asn1js.GeneralizedTime({ name: 'lastUpdateTime' })],
          }),
        ],
      }),
    );
    expect(int(token!.version)).toBe(0);
    expect(Buffer.from(primitive(token!.label)).toString('utf8')).toBe('CPS3v3-2900012345');
    expect(text(token!.manufacturerID)).toBe('ASIP SANTE');
    expect(bits(token!.tokenflags)).toEqual([0, 1]); // readonly, loginRequired
    const algos = (token!.algoList as asn1js.Sequence[]).map((a) => {
      const [ref, mech, , ops, oid, algRef] = a.valueBlock.value;
      return [
        int(ref),
        int(mech),
        bits(ops)[0],
        (oid as asn1js.ObjectIdentifier).valueBlock.toString(),
        int(algRef),
      ];
    });
    expect(algos.map((a) => a[4])).toEqual([0x10, 0x40, 0x12, 0x42, 0x02, 0x1a]);
    // The entry the real card was dumped with (A5): reference 4, CKM_SHA256_RSA_PKCS, compute-signature, sha256WithRSA, 0x42.
    expect(algos[3]).toEqual([4, 0x40, 1, '1.2.840.113549.1.1.11', 0x42]);
    expect(algos[5]).toEqual([6, 0x01, 5, '1.2.840.113549.1.1.1', 0x1a]); // decipher

    // AODF: PinObject.
    const aodfRaw = readFile('3F0000017001');
    const [pin] = decodeAll(
      aodfRaw,
      new asn1js.Sequence({
        value: [
          CommonObjectAttributes,
          new asn1js.Sequence({ value: [new asn1js.OctetString({ name: 'pinAuthId' })] }),
          new asn1js.Constructed({
            ...ctx(1),
            value: [
              new asn1js.Sequence({
                value: [
                  new asn1js.BitString({ name: 'pinFlags' }),
                  new asn1js.Enumerated({ name: 'pinType' }),
                  new asn1js.Integer({ name: 'minLength' }),
                  new asn1js.Integer({ name: 'storedLength' }),
                  new asn1js.Integer({ name: 'maxLength', optional: true }),
                  new asn1js.Primitive({ name: 'pinReference', optional: true, ...ctx(0) }),
                  new asn1js.OctetString({ name: 'padChar', optional: true }),
                ],
              }),
            ],
          }),
        ],
      }),
    );
    expect(text(pin!.label)).toBe('Code porteur de la carte CPX');
    expect(int(pin!.pinType)).toBe(1); // ascii-numeric
    expect([int(pin!.minLength), int(pin!.storedLength)]).toEqual([4, 8]);
    expect(hex(primitive(pin!.pinReference))).toBe('01');
    expect(octets(pin!.padChar)).toBe('FF');
    // The real card's flags BIT STRING: one content octet, non-zero, no bit (not DER); asn1js reads it as empty.
    expect(hex(new Uint8Array((pin!.flags as asn1js.BitString).valueBeforeDecodeView))).toBe('030107');
    expect(bits(pin!.flags)).toEqual([]);

    // PrKDF: two privateRSAKey objects, no algReference, the key path being the application's AID.
    const keys = decodeAll(
      readFile('3F0000017002'),
      new asn1js.Sequence({
        value: [
          CommonObjectAttributes,
          new asn1js.Sequence({
            value: [
              new asn1js.OctetString({ name: 'iD' }),
              new asn1js.BitString({ name: 'usage' }),
              new asn1js.Boolean({ name: 'native', optional: true }),
              new asn1js.BitString({ name: 'accessFlags', optional: true }),
              new asn1js.Integer({ name: 'keyReference', optional: true }),
              new asn1js.Constructed({
                name: 'algReference',
                optional: true,
                ...ctx(0),
                value: [new asn1js.Repeated({ value: new asn1js.Integer() })],
              }),
            ],
          }),
          new asn1js.Constructed({
            ...ctx(1),
            value: [
              new asn1js.Sequence({ value: [Path('value'), new asn1js.Integer({ name: 'modulusLength' })] }),
            ],
          }),
        ],
      }),
    );
    expect(
      keys.map((k) => ({
        label: text(k.label),
        id: octets(k.iD),
        usage: bits(k.usage),
        ref: int(k.keyReference),
        aid: hex(primitive(k['value.aid'])),
        bits: int(k.modulusLength),
        algReference: k.algReference,
      })),
    ).toEqual([
      {
        label: 'CPS_PRIV_SIG',
        id: 'E828BD080F8025000001FF001001',
        usage: [9],
        ref: 0x81,
        aid: 'E828BD080F8025000001FF0010',
        bits: 2048,
        algReference: undefined,
      },
      {
        label: 'CPS_PRIV_AUT',
        id: 'E828BD080F8025000001FF001002',
        usage: [1, 2],
        ref: 0x82,
        aid: 'E828BD080F8025000001FF0010',
        bits: 2048,
        algReference: undefined,
      },
    ]);

    // CDF: x509Certificate objects; each key has its certificate (same iD), and the path leads to it.
    const certs = decodeAll(
      readFile('3F0000017005'),
      new asn1js.Sequence({
        value: [
          CommonObjectAttributes,
          new asn1js.Sequence({
            value: [
              new asn1js.OctetString({ name: 'iD' }),
              new asn1js.Boolean({ name: 'authority', optional: true }),
            ],
          }),
          new asn1js.Constructed({ ...ctx(1), value: [new asn1js.Sequence({ value: [Path('value')] })] }),
        ],
      }),
    );
    const byLabel = Object.fromEntries(
      certs.map((c) => [text(c.label), { id: octets(c.iD), path: octets(c['value.efidOrPath']) }]),
    );
    expect(byLabel).toEqual({
      "Certificat d'Authentification CPS": { id: 'E828BD080F8025000001FF001002', path: 'C001' },
      'Certificat de Signature CPS': { id: 'E828BD080F8025000001FF001001', path: 'C002' },
    });
    expect(hex(readFile(`3F000001${byLabel["Certificat d'Authentification CPS"]!.path}`))).toBe(authCertDer);
  });
});
