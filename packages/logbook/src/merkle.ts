// RFC 9162 §2.1 Merkle Hash Trees: hashing, roots, inclusion and consistency proofs, and the
// subtree proofs of the Merkle Tree Certificates draft (a subtree [start, end) is a node that
// would exist in some tree; consistency is the subtree case with start = 0).
// Browser-safe: only @noble/hashes, no node: imports.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, concatBytes } from './bytes.ts';

export type Hash = Uint8Array;
export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** RFC 9162 §2.1.1: MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export function leafHash(entry: Uint8Array): Hash {
  return sha256(concatBytes(LEAF_PREFIX, entry));
}

/** RFC 9162 §2.1.1: SHA-256(0x01 || MTH(left) || MTH(right)). */
export function nodeHash(left: Hash, right: Hash): Hash {
  return sha256(concatBytes(NODE_PREFIX, left, right));
}

/** RFC 9162 §2.1.1: the hash of an empty list is SHA-256 of the empty string. */
export function emptyRoot(): Hash {
  return sha256(new Uint8Array(0));
}

/** RFC 9162 §2.1.1: k, the largest power of two smaller than n (n > 1). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The smallest power of two ≥ n. */
function bitCeil(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function isSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** A stored perfect subtree: level L, index i covers leaves [i·2^L, (i+1)·2^L). */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

export interface StoredNode extends NodeId {
  readonly hash: Hash;
}

/** Synchronous read of one stored perfect-subtree hash. */
export type HashReader = (id: NodeId) => Hash;

/**
 * Where a log keeps its perfect-subtree hashes (tlog-tiles hold exactly these). A SQL store
 * implements it; one batched read per proof keeps proofs at O(log n) hash reads.
 */
export interface TreeStore {
  readNodes(ids: readonly NodeId[]): Promise<readonly Hash[]>;
}

/** A half-open leaf range [start, end). */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/** The perfect subtrees that make up [start, end), left to right (start aligned as in proofs). */
export function rangeNodes(range: LeafRange): NodeId[] {
  const nodes: NodeId[] = [];
  let start = range.start;
  while (start < range.end) {
    let width = 1;
    let level = 0;
    while (start % (width * 2) === 0 && start + width * 2 <= range.end) {
      width *= 2;
      level++;
    }
    nodes.push({ level, index: start / width });
    start += width;
  }
  return nodes;
}

/** MTH of a range from its perfect pieces: fold right to left (RFC 9162 §2.1.1 recursion). */
function foldPieces(pieces: readonly Hash[]): Hash {
  if (pieces.length === 0) return emptyRoot();
  return pieces.reduceRight((right, left) => nodeHash(left, right));
}

/**
 * An append-only tree that keeps only the roots of its perfect subtrees (a compact range),
 * so roots cost O(log n) memory. Each append reports the nodes it completed, for storage.
 */
export class CompactTree {
  #size: number;
  #peaks: Hash[];

  constructor(size = 0, peaks: readonly Hash[] = []) {
    if (!isSize(size) || rangeNodes({ start: 0, end: size }).length !== peaks.length) {
      throw new Error('compact tree: peaks do not match size');
    }
    this.#size = size;
    this.#peaks = [...peaks];
  }

  get size(): number {
    return this.#size;
  }

  /** Appends one leaf hash; returns the leaf and every interior node this append completed. */
  append(leaf: Hash): StoredNode[] {
    let hash = leaf;
    let level = 0;
    let index = this.#size;
    const completed: StoredNode[] = [{ level, index, hash }];
    while (index % 2 === 1) {
      const left = this.#peaks.pop();
      if (!left) throw new Error('compact tree: corrupt peaks');
      hash = nodeHash(left, hash);
      level++;
      index = (index - 1) / 2;
      completed.push({ level, index, hash });
    }
    this.#peaks.push(hash);
    this.#size++;
    return completed;
  }

  /** RFC 9162 §2.1.1 MTH over all appended leaves. */
  root(): Hash {
    return foldPieces(this.#peaks);
  }
}

/** RFC 9162 §2.1.1 MTH(D[n]) of a list of leaf hashes. */
export function rootFromLeafHashes(leaves: readonly Hash[]): Hash {
  const tree = new CompactTree();
  for (const leaf of leaves) tree.append(leaf);
  return tree.root();
}

/**
 * A HashReader over an in-memory list of leaf hashes that stores every completed node on
 * append, so each read is O(1). Tests and small tools use it; a SQL store does the same on disk.
 */
export class MemoryTreeStore implements TreeStore {
  #levels: Hash[][] = [];
  #tree = new CompactTree();

  get size(): number {
    return this.#tree.size;
  }

  append(leaf: Hash): void {
    for (const node of this.#tree.append(leaf)) {
      (this.#levels[node.level] ??= [])[node.index] = node.hash;
    }
  }

  root(): Hash {
    return this.#tree.root();
  }

  read: HashReader = (id) => {
    const hash = this.#levels[id.level]?.[id.index];
    if (!hash) throw new Error(`tree store: no node at level ${id.level} index ${id.index}`);
    return hash;
  };

  readNodes(ids: readonly NodeId[]): Promise<readonly Hash[]> {
    return Promise.resolve(ids.map(this.read));
  }
}

/** How a proof hash combines with the running hash(es), bottom-up. */
type Step = 'right' | 'left' | 'left-both';

interface ProofPlan {
  /** The range whose hash starts the fold, or undefined when the verifier already knows it. */
  readonly base: LeafRange | undefined;
  /** Bottom-up, one proof hash per step. */
  readonly steps: readonly { readonly step: Step; readonly range: LeafRange }[];
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]), as ranges; the leaf itself is the base. */
function inclusionPlan(index: number, size: number): ProofPlan {
  const steps: { step: Step; range: LeafRange }[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      steps.push({ step: 'right', range: { start: lo + k, end: hi } });
      hi = lo + k;
    } else {
      steps.push({ step: 'left', range: { start: lo, end: lo + k } });
      lo = lo + k;
    }
  }
  return { base: undefined, steps: steps.reverse() };
}

/**
 * RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], b), generalised to a subtree [start, end) of D[n]:
 * the subtree's own hash is omitted while it is still a node of the new tree (b = true).
 */
function subtreeConsistencyPlan(subtree: LeafRange, size: number): ProofPlan {
  const steps: { step: Step; range: LeafRange }[] = [];
  let { start } = subtree;
  const { end } = subtree;
  let lo = 0;
  let hi = size;
  let known = true;
  while (!(start === lo && end === hi)) {
    const k = splitPoint(hi - lo);
    if (end <= lo + k) {
      steps.push({ step: 'right', range: { start: lo + k, end: hi } });
      hi = lo + k;
    } else if (start >= lo + k) {
      steps.push({ step: 'left', range: { start: lo, end: lo + k } });
      lo = lo + k;
    } else {
      // The subtree straddles k, so it starts at lo: its left part is D[lo:lo+k] exactly.
      steps.push({ step: 'left-both', range: { start: lo, end: lo + k } });
      lo = lo + k;
      start = lo;
      known = false;
    }
  }
  return { base: known ? undefined : { start: lo, end: hi }, steps: steps.reverse() };
}

function planRanges(plan: ProofPlan): LeafRange[] {
  const ranges = plan.steps.map((s) => s.range);
  return plan.base ? [plan.base, ...ranges] : ranges;
}

function hashesFromReader(ranges: readonly LeafRange[], read: HashReader): Hash[] {
  return ranges.map((range) => foldPieces(rangeNodes(range).map(read)));
}

async function hashesFromStore(ranges: readonly LeafRange[], store: TreeStore): Promise<Hash[]> {
  const pieces = ranges.map(rangeNodes);
  const read = await store.readNodes(pieces.flat());
  let offset = 0;
  return pieces.map((nodes) => {
    const hashes = read.slice(offset, offset + nodes.length);
    offset += nodes.length;
    return foldPieces(hashes);
  });
}

/** A subtree [start, end) is valid when it is a node of some tree: start aligned to bitCeil(end − start). */
export function isValidSubtree(subtree: LeafRange): boolean {
  const { start, end } = subtree;
  return isSize(start) && isSize(end) && start < end && start % bitCeil(end - start) === 0;
}

function checkInclusionArgs(index: number, size: number): void {
  if (!isSize(index) || !isSize(size) || index >= size) {
    throw new RangeError(`inclusion proof: index ${index} not in tree of size ${size}`);
  }
}

function checkConsistencyArgs(subtree: LeafRange, size: number): void {
  if (!isValidSubtree(subtree) || !isSize(size) || subtree.end > size) {
    throw new RangeError(`consistency proof: [${subtree.start}, ${subtree.end}) not in tree of size ${size}`);
  }
}

/** RFC 9162 §2.1.3.1 inclusion proof for leaf `index` in the tree of `size`. */
export function inclusionProof(index: number, size: number, read: HashReader): Hash[] {
  checkInclusionArgs(index, size);
  return hashesFromReader(planRanges(inclusionPlan(index, size)), read);
}

/** RFC 9162 §2.1.4.1 consistency proof between tree sizes size1 ≤ size2 (size1 > 0). */
export function consistencyProof(size1: number, size2: number, read: HashReader): Hash[] {
  checkConsistencyArgs({ start: 0, end: size1 }, size2);
  return hashesFromReader(planRanges(subtreeConsistencyPlan({ start: 0, end: size1 }, size2)), read);
}

/** Consistency proof of the subtree [start, end) with the tree of `size`. */
export function subtreeConsistencyProof(subtree: LeafRange, size: number, read: HashReader): Hash[] {
  checkConsistencyArgs(subtree, size);
  return hashesFromReader(planRanges(subtreeConsistencyPlan(subtree, size)), read);
}

/** As inclusionProof, with one batched read from a TreeStore. */
export function readInclusionProof(index: number, size: number, store: TreeStore): Promise<Hash[]> {
  checkInclusionArgs(index, size);
  return hashesFromStore(planRanges(inclusionPlan(index, size)), store);
}

/** As consistencyProof, with one batched read from a TreeStore. */
export function readConsistencyProof(size1: number, size2: number, store: TreeStore): Promise<Hash[]> {
  checkConsistencyArgs({ start: 0, end: size1 }, size2);
  return hashesFromStore(planRanges(subtreeConsistencyPlan({ start: 0, end: size1 }, size2)), store);
}

/** A HashReader that recomputes each node from a list of leaf hashes (O(2^level) per read). */
export function leafListReader(leaves: readonly Hash[]): HashReader {
  return ({ level, index }) => {
    const width = 2 ** level;
    const start = index * width;
    if (start + width > leaves.length) throw new Error(`no node at level ${level} index ${index}`);
    return rootFromLeafHashes(leaves.slice(start, start + width));
  };
}

function allHashes(hashes: readonly Hash[]): boolean {
  return hashes.every((h) => h instanceof Uint8Array && h.length === HASH_SIZE);
}

/** Folds a proof over a plan; returns [old, new] or undefined when the proof has the wrong shape. */
function foldProof(plan: ProofPlan, proof: readonly Hash[], base: Hash): [Hash, Hash] | undefined {
  const expected = plan.steps.length + (plan.base ? 1 : 0);
  if (proof.length !== expected || !allHashes(proof)) return undefined;
  const [first, ...rest] = proof;
  const [start, siblings] = plan.base ? [first, rest] : [base, proof];
  if (start === undefined) return undefined;
  let old = start;
  let current = old;
  for (const [i, { step }] of plan.steps.entries()) {
    const p = siblings[i];
    if (p === undefined) return undefined;
    if (step === 'right') {
      current = nodeHash(current, p);
    } else {
      current = nodeHash(p, current);
      if (step === 'left-both') old = nodeHash(p, old);
    }
  }
  return [old, current];
}

/** RFC 9162 §2.1.3.2: verify that `leaf` is at `index` in the tree of `size` with `root`. */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Hash,
  proof: readonly Hash[],
  root: Hash,
): boolean {
  if (!isSize(index) || !isSize(size) || index >= size) return false;
  if (!allHashes([leaf, root])) return false;
  const folded = foldProof(inclusionPlan(index, size), proof, leaf);
  return folded !== undefined && bytesEqual(folded[1], root);
}

/** Verify that leaf `index` is in the subtree [start, end) whose hash is `root`. */
export function verifySubtreeInclusion(
  index: number,
  subtree: LeafRange,
  leaf: Hash,
  proof: readonly Hash[],
  root: Hash,
): boolean {
  if (!isValidSubtree(subtree) || !isSize(index) || index < subtree.start) return false;
  return verifyInclusion(index - subtree.start, subtree.end - subtree.start, leaf, proof, root);
}

/** RFC 9162 §2.1.4.2: verify that the tree of size1 with root1 is a prefix of size2 with root2. */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Hash[],
  root1: Hash,
  root2: Hash,
): boolean {
  // RFC 9162 §2.1.4.2: a consistency check from the empty tree proves nothing, so it fails.
  if (size1 === 0) return false;
  return verifySubtreeConsistency({ start: 0, end: size1 }, size2, proof, root1, root2);
}

/** Verify that the subtree [start, end) with hash root1 is part of the tree of `size` with root2. */
export function verifySubtreeConsistency(
  subtree: LeafRange,
  size: number,
  proof: readonly Hash[],
  root1: Hash,
  root2: Hash,
): boolean {
  const { start, end } = subtree;
  if (!isSize(start) || !isSize(end) || !isSize(size) || end > size) return false;
  // An empty subtree is consistent with any tree; its hash must be the empty root.
  if (start === end) return proof.length === 0 && bytesEqual(root1, emptyRoot());
  // The whole tree: RFC 9162 §2.1.4.2 step 1, the proof is empty and the roots are equal.
  if (start === 0 && end === size) return proof.length === 0 && bytesEqual(root1, root2);
  if (!isValidSubtree(subtree) || !allHashes([root1, root2])) return false;
  const folded = foldProof(subtreeConsistencyPlan(subtree, size), proof, root1);
  return folded !== undefined && bytesEqual(folded[0], root1) && bytesEqual(folded[1], root2);
}
