export type Bytes = Uint8Array;

export const toHex = (b: Bytes): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex').toUpperCase();
export function fromHex(s: string): Bytes {
  const clean = s.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not hex: ${s}`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}
export function concat(...parts: (Bytes | readonly number[])[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
export const equal = (a: Bytes, b: Bytes) => a.length === b.length && a.every((x, i) => x === b[i]);
export const startsWith = (a: Bytes, prefix: Bytes) =>
  a.length >= prefix.length && prefix.every((x, i) => a[i] === x);
