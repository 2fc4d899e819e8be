/**
 * SHA-1 and SHA-256 finished on the card from an intermediate state, as an IAS-ECC card does for PSO HASH
 * (the host hashes all whole 64-byte blocks but the last, sends the chaining values and the bit count, and the
 * card hashes the rest). Node's crypto cannot start from a given state, hence these few lines (FIPS 180-4).
 */
import type { Bytes } from '../ber';

const K256 = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
];
const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));

function sha256Block(h: Uint32Array, block: Bytes) {
  const w = new Uint32Array(64);
  for (let i = 0; i < 16; i++)
    w[i] = (block[4 * i]! << 24) | (block[4 * i + 1]! << 16) | (block[4 * i + 2]! << 8) | block[4 * i + 3]!;
  for (let i = 16; i < 64; i++) {
    const s0 = rotr(w[i - 15]!, 7) ^ rotr(w[i - 15]!, 18) ^ (w[i - 15]! >>> 3);
    const s1 = rotr(w[i - 2]!, 17) ^ rotr(w[i - 2]!, 19) ^ (w[i - 2]! >>> 10);
    w[i] = w[i - 16]! + s0 + w[i - 7]! + s1;
  }
  let [a, b, c, d, e, f, g, hh] = h;
  for (let i = 0; i < 64; i++) {
    const t1 =
      hh! + (rotr(e!, 6) ^ rotr(e!, 11) ^ rotr(e!, 25)) + ((e! & f!) ^ (~e! & g!)) + K256[i]! + w[i]!;
    const t2 = (rotr(a!, 2) ^ rotr(a!, 13) ^ rotr(a!, 22)) + ((a! & b!) ^ (a! & c!) ^ (b! & c!));
    [hh, g, f, e, d, c, b, a] = [g, f, e, (d! + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
  }
  [a, b, c, d, e, f, g, hh].forEach((v, i) => (h[i] = (h[i]! + v!) >>> 0));
}

function sha1Block(h: Uint32Array, block: Bytes) {
  const w = new Uint32Array(80);
  for (let i = 0; i < 16; i++)
    w[i] = (block[4 * i]! << 24) | (block[4 * i + 1]! << 16) | (block[4 * i + 2]! << 8) | block[4 * i + 3]!;
  for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!, 1);
  let [a, b, c, d, e] = h;
  for (let i = 0; i < 80; i++) {
    const [f, k] =
      i < 20
        ? [(b! & c!) | (~b! & d!), 0x5a827999]
        : i < 40
          ? [b! ^ c! ^ d!, 0x6ed9eba1]
          : i < 60
            ? [(b! & c!) | (b! & d!) | (c! & d!), 0x8f1bbcdc]
            : [b! ^ c! ^ d!, 0xca62c1d6];
    const t = (rotl(a!, 5) + f + e! + k + w[i]!) >>> 0;
    [e, d, c, b, a] = [d, c, rotl(b!, 30) >>> 0, a, t];
  }
  [a, b, c, d, e].forEach((v, i) => (h[i] = (h[i]! + v!) >>> 0));
}

/**
 * Finishes a hash: `state` holds the chaining values (big-endian words), `bitsSoFar` the length already hashed
 * (a multiple of 512 bits), `rest` the remaining message. Returns the digest.
 */
export function finishHash(alg: 'sha1' | 'sha256', state: Bytes, bitsSoFar: bigint, rest: Bytes): Bytes {
  const words = alg === 'sha1' ? 5 : 8;
  const h = new Uint32Array(words);
  for (let i = 0; i < words; i++)
    h[i] =
      ((state[4 * i]! << 24) | (state[4 * i + 1]! << 16) | (state[4 * i + 2]! << 8) | state[4 * i + 3]!) >>>
      0;
  const total = bitsSoFar + BigInt(rest.length) * 8n;
  const padded = new Uint8Array(Math.ceil((rest.length + 9) / 64) * 64);
  padded.set(rest);
  padded[rest.length] = 0x80;
  for (let i = 0; i < 8; i++) padded[padded.length - 1 - i] = Number((total >> BigInt(8 * i)) & 0xffn);
  const block = alg === 'sha1' ? sha1Block : sha256Block;
  for (let o = 0; o < padded.length; o += 64) block(h, padded.subarray(o, o + 64));
  const out = new Uint8Array(4 * words);
  h.forEach((v, i) => out.set([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff], 4 * i));
  return out;
}

/** The initial chaining values: finishing from them hashes a whole message. */
export const INITIAL_STATE = {
  sha1: Uint8Array.from(Buffer.from('67452301efcdab8998badcfe10325476c3d2e1f0', 'hex')),
  sha256: Uint8Array.from(
    Buffer.from('6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19', 'hex'),
  ),
};
