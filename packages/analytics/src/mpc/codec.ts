/** Fixed-width big-endian packing of field elements: whole 64-bit words (8 bytes for 2^61−1, 16 for 2^127−1). */
import type { Field } from './field.ts';
import { MpcProtocolError } from './transport.ts';

export function width(f: Field): number {
  return 8 * Math.ceil(f.bits / 64);
}

export function pack(f: Field, xs: readonly bigint[]): Uint8Array {
  const w = width(f);
  const out = new Uint8Array(xs.length * w);
  const view = new DataView(out.buffer);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (w === 8) view.setBigUint64(i * 8, x);
    else if (w === 16) {
      view.setBigUint64(i * 16, x >> 64n);
      view.setBigUint64(i * 16 + 8, x & 0xffffffffffffffffn);
    } else {
      let rest = x;
      for (let j = w - 8; j >= 0; j -= 8) {
        view.setBigUint64(i * w + j, rest & 0xffffffffffffffffn);
        rest >>= 64n;
      }
    }
  }
  return out;
}

export function unpack(f: Field, body: Uint8Array, count: number): bigint[] {
  const w = width(f);
  if (body.length !== count * w)
    throw new MpcProtocolError(`body has ${body.length} bytes, expected ${count * w}`);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out = new Array<bigint>(count);
  for (let i = 0; i < count; i++) {
    let x: bigint;
    if (w === 8) x = view.getBigUint64(i * 8);
    else if (w === 16) x = (view.getBigUint64(i * 16) << 64n) | view.getBigUint64(i * 16 + 8);
    else {
      x = 0n;
      for (let j = 0; j < w; j += 8) x = (x << 64n) | view.getBigUint64(i * w + j);
    }
    if (x >= f.p) throw new MpcProtocolError('element out of field range');
    out[i] = x;
  }
  return out;
}
