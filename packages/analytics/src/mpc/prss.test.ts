import { describe, expect, it } from 'vitest';
import { M127, M61, add, cryptoRandomBytes, type Field } from './field.ts';
import { PairKeys, seedElementCount } from './prss.ts';
import { consistent, reconstruct, type PartyIndex } from './shamir.ts';
import { MpcProtocolError } from './transport.ts';

const ALL: PartyIndex[] = [1, 2, 3];

/** Three parties' keys with the first round's seeds delivered, as the engine does. */
function keys(f: Field): PairKeys[] {
  const ks = ALL.map(
    (me) =>
      new PairKeys(
        f,
        me,
        ALL.filter((p) => p !== me),
        cryptoRandomBytes,
      ),
  );
  for (const me of ALL)
    for (const from of ALL) if (from !== me) ks[me - 1]!.accept(from, ks[from - 1]!.outgoing(me));
  return ks;
}

describe.each([M61, M127])('pairwise keys over $name', (f) => {
  it('a seed fits in the elements sent for it (≥ 256 bits)', () => {
    expect(seedElementCount(f) * (f.bits - 1)).toBeGreaterThanOrEqual(256);
  });
  it('both ends of a dealing stream draw the same elements; other streams differ', () => {
    const [k1, k2] = keys(f);
    const a = k1!.dealt(1, 2, 7, 50);
    expect(k2!.dealt(1, 2, 7, 50)).toEqual(a);
    expect(k2!.dealt(1, 2, 8, 50)).not.toEqual(a);
    expect(k2!.dealt(2, 1, 7, 50)).not.toEqual(a);
    expect(() => k1!.dealt(2, 3, 7, 1)).toThrow(MpcProtocolError);
  });
  it('the three zero shares add up to 0 and are not 0 themselves', () => {
    const ks = keys(f);
    const z = ks.map((k) => k.zeros(3, 100));
    for (let i = 0; i < 100; i++) expect(add(f, add(f, z[0]![i]!, z[1]![i]!), z[2]![i]!)).toBe(0n);
    expect(z[0]!.some((x) => x !== 0n)).toBe(true);
  });
  it('random shares lie on one line, and its value at 0 is the sum of the three pair streams', () => {
    const ks = keys(f);
    const r = ks.map((k) => k.randomShares(1, 100));
    for (let i = 0; i < 100; i++) expect(consistent(f, r[0]![i]!, r[1]![i]!, r[2]![i]!)).toBe(true);
    const secret = reconstruct(f, [1, 2], [r[0]!, r[1]!]);
    const pair = (a: number, b: number): bigint[] => ks[a - 1]!.shared(b as PartyIndex, 3, 1, 100);
    const want = pair(1, 2).map((x, i) => add(f, add(f, x, pair(1, 3)[i]!), pair(2, 3)[i]!));
    expect(secret).toEqual(want);
    expect(ks[0]!.randomShares(2, 100)).not.toEqual(r[0]);
  });
  it('streams that need a peer’s seed refuse before it arrived', () => {
    const k = new PairKeys(f, 1, [2, 3], cryptoRandomBytes);
    expect(k.ready).toBe(false);
    expect(() => k.zeros(1, 1)).toThrow(MpcProtocolError);
    expect(() => k.dealt(2, 1, 1, 1)).toThrow(MpcProtocolError);
    k.accept(2, [1n]);
    expect(() => k.accept(2, [1n])).toThrow(MpcProtocolError);
  });
});
