/**
 * The virtual card's security operations as the two middlewares drive them (cps3-real-traces.md B4–B6 and
 * card-cps4.c): a CPS3 signature with MSE SET in either order and PSO HASH finishing the host's SHA state, a
 * chained PSO DECIPHER with the 81 indicator, and a CPS4 on logical channel 1 with ANS's reselect sequence.
 * No real card was traced doing these: the checks are that the results verify with the holder's keys.
 */
import { constants, createHash, createPublicKey, publicEncrypt, verify, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { cat, hex, unhex, type Bytes } from '../ber';
import { resolveHolder } from '../holders';
import { loadTestPki } from '../pki';
import { VirtualCps } from './cps';
import { finishHash, INITIAL_STATE } from './sha';

let creds: { authCertPem: string; authKeyPem: string; signCertPem: string; signKeyPem: string };
const PIN = '0020000108' + '31323334FFFFFFFF';

beforeAll(async () => {
  creds = await (await loadTestPki()).credentialsFor(resolveHolder('Claire MARTIN'));
}, 60_000);

const apdu = (head: string, data: Bytes, le?: string) =>
  unhex(`${head}${data.length.toString(16).padStart(2, '0')}${hex(data)}${le ?? ''}`);
/** Sends, follows 61xx with GET RESPONSE; data ‖ SW as hex. */
function send(card: VirtualCps, command: Bytes, cla = 0): string {
  let r = hex(card.process(command));
  let data = '';
  while (r.startsWith('61') && r.length === 4) {
    r = hex(card.process(unhex(`${cla.toString(16).padStart(2, '0')}C00000${r.slice(2)}`)));
    data += r.slice(0, -4);
    r = r.slice(-4);
  }
  return data + r;
}

describe('sha: the card finishes the host’s hash', () => {
  it('from the initial state it is plain SHA-1 / SHA-256', () => {
    const msg = new Uint8Array(150).map((_, i) => i);
    for (const alg of ['sha1', 'sha256'] as const) {
      expect(hex(finishHash(alg, INITIAL_STATE[alg], 0n, msg))).toBe(
        hex(createHash(alg).update(msg).digest()),
      );
    }
  });
});

describe('CPS3 signature with CPS_PRIV_SIG (0x81)', () => {
  const message = new TextEncoder().encode('ordonnance 2026-12-07 n° 42');

  it.each([
    ['ANS (80 then 84)', '800142840181'],
    ['OpenSC (84 then 80)', '840181800142'],
  ])(
    'MSE SET DST in %s order, PSO HASH of the whole message, PSO CDS: a PKCS#1 v1.5 SHA-256 signature',
    (_, dst) => {
      const card = new VirtualCps({ profile: 'cps3', serial: '2900012345', ...creds });
      expect(send(card, unhex(PIN))).toBe('9000');
      expect(send(card, unhex('002241AA03800140'))).toBe('9000');
      expect(send(card, apdu('002A90A0', cat([0x90, 0x00, 0x80, message.length], message)))).toBe('9000');
      expect(send(card, unhex(`002241B606${dst}`))).toBe('9000');
      const r = send(card, unhex('002A9E9A00'));
      expect(r.endsWith('9000')).toBe(true);
      const sig = Buffer.from(r.slice(0, -4), 'hex');
      expect(sig.length).toBe(256);
      expect(verify('sha256', message, new X509Certificate(creds.signCertPem).publicKey, sig)).toBe(true);
    },
  );

  it('PSO HASH from an intermediate SHA-256 state (90 28 state ‖ bit count, 80 n last block)', () => {
    const card = new VirtualCps({ profile: 'cps3', serial: '2900012345', ...creds });
    const long = new Uint8Array(200).map((_, i) => (i * 13) & 0xff);
    // The host hashes the whole blocks but the last (≤ 64 bytes) itself: 192 bytes here; the card the other 8.
    const state = finishHashState(long.subarray(0, 192));
    const counter = unhex((192n * 8n).toString(16).padStart(16, '0'));
    send(card, unhex(PIN));
    send(card, unhex('002241AA03800140'));
    const rest = long.subarray(192);
    expect(send(card, apdu('002A90A0', cat([0x90, 0x28], state, counter, [0x80, rest.length], rest)))).toBe(
      '9000',
    );
    send(card, unhex('002241B606800142840181'));
    const sig = Buffer.from(send(card, unhex('002A9E9A00')).slice(0, -4), 'hex');
    expect(verify('sha256', long, new X509Certificate(creds.signCertPem).publicKey, sig)).toBe(true);
  });

  it('without the PIN, or without MSE SET DST, no signature', () => {
    const card = new VirtualCps({ profile: 'cps3', serial: '2900012345', ...creds });
    expect(send(card, unhex('002A9E9A00'))).toBe('6982');
    send(card, unhex(PIN));
    expect(send(card, unhex('002A9E9A00'))).toBe('6985');
    expect(send(card, unhex('002241B606800142840182'))).toBe('6A80'); // the authentication key cannot sign so
  });
});

/**
 * The SHA-256 chaining value after whole 64-byte blocks, as the host computes it before PSO HASH. Node's crypto
 * does not expose it, and the card's own code is what is under test: a separate block function, with its
 * constants derived from the primes as FIPS 180-4 defines them.
 */
function finishHashState(blocks: Bytes): Bytes {
  const K = Array.from({ length: 64 }, (_, i) => {
    const primes: number[] = [];
    for (let n = 2; primes.length < 64; n++) if (primes.every((p) => n % p)) primes.push(n);
    return Math.floor((Math.cbrt(primes[i]!) % 1) * 2 ** 32) >>> 0;
  });
  const h = [...Array(8)].map((_, i) => {
    const primes = [2, 3, 5, 7, 11, 13, 17, 19];
    return Math.floor((Math.sqrt(primes[i]!) % 1) * 2 ** 32) >>> 0;
  });
  const r = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let o = 0; o < blocks.length; o += 64) {
    const w: number[] = [];
    for (let i = 0; i < 64; i++) {
      if (i < 16)
        w.push(
          ((blocks[o + 4 * i]! << 24) |
            (blocks[o + 4 * i + 1]! << 16) |
            (blocks[o + 4 * i + 2]! << 8) |
            blocks[o + 4 * i + 3]!) >>>
            0,
        );
      else {
        const s0 = r(w[i - 15]!, 7) ^ r(w[i - 15]!, 18) ^ (w[i - 15]! >>> 3);
        const s1 = r(w[i - 2]!, 17) ^ r(w[i - 2]!, 19) ^ (w[i - 2]! >>> 10);
        w.push((w[i - 16]! + s0 + w[i - 7]! + s1) >>> 0);
      }
    }
    const v = [...h];
    for (let i = 0; i < 64; i++) {
      const t1 =
        (v[7]! +
          (r(v[4]!, 6) ^ r(v[4]!, 11) ^ r(v[4]!, 25)) +
          ((v[4]! & v[5]!) ^ (~v[4]! & v[6]!)) +
          K[i]! +
          w[i]!) >>>
        0;
      const t2 =
        ((r(v[0]!, 2) ^ r(v[0]!, 13) ^ r(v[0]!, 22)) +
          ((v[0]! & v[1]!) ^ (v[0]! & v[2]!) ^ (v[1]! & v[2]!))) >>>
        0;
      v.splice(0, 8, (t1 + t2) >>> 0, v[0]!, v[1]!, v[2]!, (v[3]! + t1) >>> 0, v[4]!, v[5]!, v[6]!);
    }
    for (let i = 0; i < 8; i++) h[i] = (h[i]! + v[i]!) >>> 0;
  }
  return new Uint8Array(h.flatMap((x) => [x >>> 24, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff]));
}

describe('CPS3 decipher with CPS_PRIV_AUT (0x82)', () => {
  it.each([
    ['OpenSC', '840182 80011A'],
    ['ANS', '80011A 840182'],
  ])('MSE SET CT (%s order), then PSO DECIPHER 81 ‖ cryptogram in two chained blocks', (_, ct) => {
    const card = new VirtualCps({ profile: 'cps3', serial: '2900012345', ...creds });
    const secret = new TextEncoder().encode('clé de session');
    const cryptogram = publicEncrypt(
      { key: createPublicKey(creds.authCertPem), padding: constants.RSA_PKCS1_PADDING },
      secret,
    );
    const data = cat([0x81], cryptogram);
    send(card, unhex(PIN));
    expect(send(card, unhex(`002241B806${ct.replace(/ /g, '')}`))).toBe('9000');
    // 257 bytes: a first block with CLA 10 (chaining), the last with CLA 00.
    expect(send(card, apdu('102A8086', data.subarray(0, 0xe7)))).toBe('9000');
    const r = send(card, apdu('002A8086', data.subarray(0xe7), '00'));
    expect(r).toBe(hex(secret) + '9000');
  });
});

describe('CPS4 as ANS’s driver drives it', () => {
  it('ChipDoc on channel 1 at once; after a reset 69 85, then ISD (channel 1), CPS2ter (channel 0), ChipDoc', () => {
    const card = new VirtualCps({ profile: 'cps4', serial: '2900012345', ...creds });
    expect(send(card, unhex('01A4040C088025000001FF0100'))).toBe('9000');
    expect(send(card, unhex('01200001'))).toBe('63C3');
    expect(send(card, unhex('00200001'))).toBe('6985'); // ChipDoc answers on channel 1 only
    card.reset();
    expect(send(card, unhex('01200001'))).toBe('6985');
    expect(send(card, unhex('01A4040C07A0000001510000'))).toBe('9000');
    expect(send(card, unhex('00A4040C088025000001FF0002'))).toBe('9000');
    expect(send(card, unhex('01A4040C088025000001FF0100'))).toBe('9000');
    expect(send(card, unhex('01200001'))).toBe('63C3');
  });

  it('signature: MSE 81 B6 with tag 91 (algorithm 28 = SHA-256 PKCS#1, key 10|80), PSO CDS of the hash', () => {
    const card = new VirtualCps({ profile: 'cps4', serial: '2900012345', ...creds });
    const message = new TextEncoder().encode('CPS4');
    send(card, unhex('01A4040C088025000001FF0100'));
    expect(send(card, unhex(`0120000108${'31323334FFFFFFFF'}`))).toBe('9000');
    expect(send(card, unhex('012281B604910228 90'.replace(/ /g, '')))).toBe('9000');
    const r = send(card, apdu('012A9E9A', createHash('sha256').update(message).digest(), '00'), 1);
    const sig = Buffer.from(r.slice(0, -4), 'hex');
    expect(verify('sha256', message, new X509Certificate(creds.signCertPem).publicKey, sig)).toBe(true);
  });

  it('unblock: VERIFY of the unblocking code, RESET RETRY COUNTER 03 on ref|80, CHANGE REFERENCE DATA 01', () => {
    const card = new VirtualCps({ profile: 'cps4', serial: '2900012345', ...creds, pinTriesLeft: 0 });
    send(card, unhex('01A4040C088025000001FF0100'));
    expect(send(card, unhex('01200001'))).toBe('6983');
    expect(send(card, unhex('01200002083132333435363738'))).toBe('9000');
    expect(send(card, unhex('012C0381'))).toBe('9000');
    expect(send(card, unhex('012401010835363738FFFFFFFF'))).toBe('9000');
    expect(send(card, unhex('012000010835363738FFFFFFFF'))).toBe('9000');
  });
});
