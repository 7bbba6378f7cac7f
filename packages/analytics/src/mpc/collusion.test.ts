/**
 * The honest-majority limit, stated plainly: the engine is secure against ONE curious party. Any
 * TWO parties that pool their shares learn every secret-shared value (every input, intermediate
 * and mask) — Shamir (2,3) is a threshold scheme with threshold 2. Between them they also hold
 * every pairwise seed (prss.ts), so they can recompute every stream-drawn share and zero mask too.
 * This test shows it.
 */
import { expect, it } from 'vitest';
import { M61 } from './field.ts';
import { Party } from './engine.ts';
import { inProcessTransports } from './transport.ts';
import { reconstruct, type PartyIndex } from './shamir.ts';

it('two colluding parties reconstruct the third party’s private inputs; one party alone sees uniform shares', async () => {
  const secret = [4350n, 17n, 0n];
  const ts = inProcessTransports();
  const ps = ([1, 2, 3] as PartyIndex[]).map(
    (me) => new Party({ field: M61, me, transport: ts[me - 1]!, specHash: 'h' }),
  );
  const held = await Promise.all(
    ps.map((p) => p.input([{ owner: 3, count: 3 }], p.me === 3 ? [secret] : [])),
  );
  // parties 1 and 2 pool what they received from party 3
  expect(reconstruct(M61, [1, 2], [held[0]![0]!, held[1]![0]!])).toEqual(secret);
  // party 1's share of 0 is not 0 (it is a uniformly random element)
  expect(held[0]![0]![2]).not.toBe(0n);
});
