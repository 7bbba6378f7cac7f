import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from './bytes.ts';
import {
  CompactTree,
  MemoryTreeStore,
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  leafListReader,
  readConsistencyProof,
  readInclusionProof,
  rootFromLeafHashes,
  subtreeConsistencyProof,
  verifyConsistency,
  verifyInclusion,
  verifySubtreeConsistency,
  type Hash,
  type NodeId,
  type TreeStore,
} from './merkle.ts';

/** Deterministic xorshift32 PRNG so property tests are reproducible. */
function prng(seed: number): (max: number) => number {
  let state = seed >>> 0 || 1;
  return (max) => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % max;
  };
}

function leaves(n: number): Hash[] {
  return Array.from({ length: n }, (_, i) => leafHash(utf8(`entry ${i}`)));
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = bytes.slice();
  const byte = copy[bit >> 3];
  if (byte === undefined) throw new Error(`flipBit: bit ${bit} is beyond the ${bytes.length} bytes`);
  copy[bit >> 3] = byte ^ (1 << (bit & 7));
  return copy;
}

/** Reference MTH straight from RFC 9162 §2.1.1's recursive definition. */
function referenceRoot(hashes: Hash[]): Hash {
  if (hashes.length === 0) return emptyRoot();
  if (hashes.length === 1) return hashes[0]!;
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return nodeHashRef(referenceRoot(hashes.slice(0, k)), referenceRoot(hashes.slice(k)));
}
/**
 * The left/right turns of the RFC 9162 §2.1.3.1 path; a proof cannot tell apart sizes with the
 * same turns (the signed checkpoint binds the size), so only a changed shape must fail.
 */
function pathShape(index: number, size: number): string {
  let shape = '';
  let [lo, hi] = [0, size];
  while (hi - lo > 1) {
    let k = 1;
    while (k * 2 < hi - lo) k *= 2;
    if (index < lo + k) [shape, hi] = [shape + 'R', lo + k];
    else [shape, lo] = [shape + 'L', lo + k];
  }
  return shape;
}

function nodeHashRef(l: Hash, r: Hash): Hash {
  return rootFromLeafHashes([l, r]);
}

describe('merkle hashing', () => {
  it('hashes the empty tree to SHA-256 of the empty string', () => {
    expect(toHex(emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('the compact tree root equals the recursive definition for every size up to 70', () => {
    const all = leaves(70);
    const tree = new CompactTree();
    expect(tree.root()).toEqual(emptyRoot());
    for (let n = 1; n <= 70; n++) {
      tree.append(all[n - 1]!);
      expect(tree.size).toBe(n);
      expect(toHex(tree.root())).toBe(toHex(referenceRoot(all.slice(0, n))));
    }
  });

  it('a compact tree can be restored from its size and peaks', () => {
    const tree = new CompactTree();
    const store = new MemoryTreeStore();
    for (const leaf of leaves(13)) {
      tree.append(leaf);
      store.append(leaf);
    }
    const peaks = [
      store.read({ level: 3, index: 0 }),
      store.read({ level: 2, index: 2 }),
      store.read({ level: 0, index: 12 }),
    ];
    expect(new CompactTree(13, peaks).root()).toEqual(tree.root());
    expect(() => new CompactTree(13, peaks.slice(1))).toThrow(/peaks/);
  });

  it('the memory store keeps exactly the completed perfect subtrees', () => {
    const store = new MemoryTreeStore();
    const all = leaves(6);
    for (const leaf of all) store.append(leaf);
    expect(store.read({ level: 2, index: 0 })).toEqual(rootFromLeafHashes(all.slice(0, 4)));
    expect(() => store.read({ level: 2, index: 1 })).toThrow(/no node/);
  });
});

describe('honest proofs', () => {
  it('every inclusion proof for every leaf of trees up to 40 verifies, from a list or a store', async () => {
    const all = leaves(40);
    const store = new MemoryTreeStore();
    for (let size = 1; size <= 40; size++) {
      store.append(all[size - 1]!);
      const root = store.root();
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(index, size, store.read);
        expect(proof).toEqual(inclusionProof(index, size, leafListReader(all.slice(0, size))));
        expect(verifyInclusion(index, size, all[index]!, proof, root)).toBe(true);
      }
    }
    expect(await readInclusionProof(3, 40, store)).toEqual(inclusionProof(3, 40, store.read));
  });

  it('every consistency proof between sizes up to 40 verifies', async () => {
    const all = leaves(40);
    const store = new MemoryTreeStore();
    const roots: Hash[] = [];
    for (const leaf of all) {
      store.append(leaf);
      roots.push(store.root());
    }
    for (let size2 = 1; size2 <= 40; size2++) {
      for (let size1 = 1; size1 <= size2; size1++) {
        const proof = consistencyProof(size1, size2, store.read);
        expect(verifyConsistency(size1, size2, proof, roots[size1 - 1]!, roots[size2 - 1]!)).toBe(true);
      }
    }
    expect(await readConsistencyProof(7, 40, store)).toEqual(consistencyProof(7, 40, store.read));
  });

  it('subtree consistency proofs for aligned subtrees verify', () => {
    const all = leaves(21);
    const read = leafListReader(all);
    const root = rootFromLeafHashes(all);
    const ranges: [start: number, end: number][] = [
      [0, 3],
      [4, 7],
      [8, 16],
      [16, 21],
      [20, 21],
      [12, 14],
    ];
    for (const [start, end] of ranges) {
      const proof = subtreeConsistencyProof({ start, end }, 21, read);
      const subtreeRoot = rootFromLeafHashes(all.slice(start, end));
      expect(verifySubtreeConsistency({ start, end }, 21, proof, subtreeRoot, root)).toBe(true);
    }
  });

  it('proofs use one batched store read of O(log n) nodes', async () => {
    const store = new MemoryTreeStore();
    for (const leaf of leaves(1000)) store.append(leaf);
    const reads: NodeId[][] = [];
    const counting: TreeStore = {
      readNodes: (ids) => {
        reads.push([...ids]);
        return store.readNodes(ids);
      },
    };
    await readInclusionProof(517, 1000, counting);
    await readConsistencyProof(333, 1000, counting);
    expect(reads).toHaveLength(2);
    for (const ids of reads) expect(ids.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(1000)));
  });

  it('refuses to build proofs outside the tree', () => {
    const read = leafListReader(leaves(4));
    expect(() => inclusionProof(4, 4, read)).toThrow(RangeError);
    expect(() => consistencyProof(0, 4, read)).toThrow(RangeError);
    expect(() => consistencyProof(5, 4, read)).toThrow(RangeError);
    expect(() => subtreeConsistencyProof({ start: 1, end: 3 }, 4, read)).toThrow(RangeError);
  });
});

describe('tampered proofs', () => {
  const random = prng(20261123);

  it('a single flipped bit in an inclusion proof, leaf or root fails, as does a changed index or path shape', () => {
    const all = leaves(300);
    const store = new MemoryTreeStore();
    for (const leaf of all) store.append(leaf);
    for (let trial = 0; trial < 60; trial++) {
      const size = 2 + random(299);
      const index = random(size);
      const root = rootFromLeafHashes(all.slice(0, size));
      const proof = inclusionProof(index, size, store.read);
      expect(verifyInclusion(index, size, all[index]!, proof, root)).toBe(true);
      const bit = random(256);
      expect(verifyInclusion(index, size, flipBit(all[index]!, bit), proof, root)).toBe(false);
      expect(verifyInclusion(index, size, all[index]!, proof, flipBit(root, bit))).toBe(false);
      for (let p = 0; p < proof.length; p++) {
        const bad = proof.map((h, i) => (i === p ? flipBit(h, random(256)) : h));
        expect(verifyInclusion(index, size, all[index]!, bad, root)).toBe(false);
      }
      expect(verifyInclusion(index ^ 1, size, all[index]!, proof, root)).toBe(false);
      const other = size + 1 + random(size);
      const sameShape = pathShape(index, other) === pathShape(index, size);
      expect(verifyInclusion(index, other, all[index]!, proof, root)).toBe(sameShape);
      expect(verifyInclusion(index, size, all[index]!, proof.slice(1), root)).toBe(false);
      expect(verifyInclusion(index, size, all[index]!, [...proof, proof[0] ?? root], root)).toBe(false);
    }
  });

  it('a single flipped bit in a consistency proof or either root fails, as does a changed size1 or path shape', () => {
    const all = leaves(300);
    const store = new MemoryTreeStore();
    const roots: Hash[] = [];
    for (const leaf of all) {
      store.append(leaf);
      roots.push(store.root());
    }
    for (let trial = 0; trial < 60; trial++) {
      const size2 = 2 + random(299);
      const size1 = 1 + random(size2 - 1);
      const [root1, root2] = [roots[size1 - 1]!, roots[size2 - 1]!];
      const proof = consistencyProof(size1, size2, store.read);
      expect(verifyConsistency(size1, size2, proof, root1, root2)).toBe(true);
      expect(verifyConsistency(size1, size2, proof, flipBit(root1, random(256)), root2)).toBe(false);
      expect(verifyConsistency(size1, size2, proof, root1, flipBit(root2, random(256)))).toBe(false);
      for (let p = 0; p < proof.length; p++) {
        const bad = proof.map((h, i) => (i === p ? flipBit(h, random(256)) : h));
        expect(verifyConsistency(size1, size2, bad, root1, root2)).toBe(false);
      }
      expect(verifyConsistency(size1 + 1, size2, proof, root1, root2)).toBe(false);
      expect(verifyConsistency(size1, size2 + 1, proof, root1, root2)).toBe(
        pathShape(size1 - 1, size2 + 1) === pathShape(size1 - 1, size2),
      );
    }
  });
});
