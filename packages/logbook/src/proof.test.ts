import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { toBase64, utf8 } from './bytes.ts';
import { signCheckpoint } from './checkpoint.ts';
import { ed25519Cosigner, encodeCosignerKey } from './cosignature.ts';
import { MemoryTreeStore, inclusionProof, leafHash } from './merkle.ts';
import { addSignatures, ed25519Signer, encodeVerifierKey, generateSecretKey } from './note.ts';
import {
  PROOF_HEADER,
  ReceiptError,
  formatReceipt,
  parseReceipt,
  verifyReceipt,
  type ReceiptPolicy,
} from './proof.ts';

const ORIGIN = 'ketenlog.example/verloskunde-west/log';
const NOW = 1_763_856_000;

function keypair() {
  const secret = generateSecretKey();
  return { secret, publicKey: ed25519.getPublicKey(secret) };
}

/** A log of `n` entries with a checkpoint cosigned by `cosigning` of three witnesses. */
function region(n: number, cosigning: number) {
  const log = keypair();
  const witnesses = ['w.example/a', 'w.example/b', 'w.example/c'].map((name) => ({ name, ...keypair() }));
  const entries = Array.from({ length: n }, (_, i) => utf8(`{"entry":${i}}`));
  const store = new MemoryTreeStore();
  for (const entry of entries) store.append(leafHash(entry));
  const signed = signCheckpoint(
    { origin: ORIGIN, size: n, root: store.root(), extensions: [] },
    ed25519Signer(ORIGIN, log.secret),
  );
  const checkpoint = addSignatures(
    signed,
    witnesses.slice(0, cosigning).map((w) => ed25519Cosigner(w.name, w.secret, () => NOW)),
  );
  const policy: ReceiptPolicy = {
    origin: ORIGIN,
    logKey: encodeVerifierKey(ORIGIN, 0x01, log.publicKey),
    witnessKeys: witnesses.map((w) => encodeCosignerKey(w.name, w.publicKey)),
    quorum: 2,
  };
  const receiptFor = (index: number) =>
    formatReceipt({ index, proof: inclusionProof(index, n, store.read), checkpoint });
  return { entries, policy, receiptFor, checkpoint, store };
}

describe('tlog-proof receipts', () => {
  it('formats the tlog-proof layout: header, index, proof lines, blank line, checkpoint', () => {
    const { receiptFor, checkpoint, store } = region(5, 2);
    const text = receiptFor(2);
    const proof = inclusionProof(2, 5, store.read).map(toBase64);
    expect(text).toBe(`${PROOF_HEADER}\nindex 2\n${proof.join('\n')}\n\n${checkpoint}`);
  });

  it('a receipt with a witness quorum verifies offline for its entry, at every index', () => {
    const { entries, policy, receiptFor } = region(11, 2);
    for (let i = 0; i < entries.length; i++) {
      const result = verifyReceipt(receiptFor(i), entries[i]!, policy);
      expect(result.ok).toBe(true);
      if (result.ok)
        expect(result.receipt.cosignatures.map((c) => c.cosigner)).toEqual(['w.example/a', 'w.example/b']);
    }
  });

  it('opens a shared checkpoint once with a cache, and still checks each inclusion proof', () => {
    const { entries, policy, receiptFor } = region(11, 2);
    const opened = new Map();
    for (let i = 0; i < entries.length; i++)
      expect(verifyReceipt(receiptFor(i), entries[i]!, policy, opened).ok).toBe(true);
    expect(opened.size).toBe(1);
    // the cached checkpoint does not vouch for another entry, nor for a receipt under another policy
    expect(verifyReceipt(receiptFor(1), entries[2]!, policy, opened).ok).toBe(false);
    expect(verifyReceipt(receiptFor(1), entries[1]!, { ...policy, quorum: 3 }, opened).ok).toBe(false);
  });

  it('round-trips extra data without trusting it', () => {
    const { entries, policy, receiptFor } = region(3, 2);
    const parsed = parseReceipt(receiptFor(1));
    const withExtra = formatReceipt({ ...parsed, extra: utf8('context') });
    expect(withExtra.split('\n')[1]).toBe(`extra ${toBase64(utf8('context'))}`);
    expect(parseReceipt(withExtra).extra).toEqual(utf8('context'));
    expect(verifyReceipt(withExtra, entries[1]!, policy).ok).toBe(true);
  });

  it('a single-entry log has an empty proof and still verifies', () => {
    const { entries, policy, receiptFor } = region(1, 3);
    expect(verifyReceipt(receiptFor(0), entries[0]!, policy).ok).toBe(true);
  });

  it('rejects another entry, another index, a flipped proof bit and a changed checkpoint', () => {
    const { entries, policy, receiptFor } = region(9, 2);
    const receipt = receiptFor(4);
    expect(verifyReceipt(receipt, entries[5]!, policy)).toMatchObject({
      ok: false,
      reason: /inclusion proof/,
    });
    expect(verifyReceipt(receipt.replace('index 4', 'index 5'), entries[4]!, policy).ok).toBe(false);
    expect(verifyReceipt(receipt.replace('index 4', 'index 9'), entries[4]!, policy)).toMatchObject({
      reason: /beyond/,
    });
    const parsed = parseReceipt(receipt);
    const flipped = parsed.proof.map((h, i) => (i === 1 ? h.map((b, j) => (j === 0 ? b ^ 1 : b)) : h));
    expect(verifyReceipt({ ...parsed, proof: flipped }, entries[4]!, policy).ok).toBe(false);
    expect(verifyReceipt(receipt.replace(`\n9\n`, `\n10\n`), entries[4]!, policy)).toMatchObject({
      reason: /signature/,
    });
  });

  it('below the witness quorum a receipt is not final', () => {
    const { entries, policy, receiptFor } = region(4, 1);
    expect(verifyReceipt(receiptFor(0), entries[0]!, policy)).toMatchObject({ ok: false, reason: /1 of 2/ });
    expect(verifyReceipt(receiptFor(0), entries[0]!, { ...policy, quorum: 1 }).ok).toBe(true);
  });

  it('rejects a receipt from a log or witnesses the policy does not trust', () => {
    const { entries, receiptFor } = region(4, 2);
    const other = region(4, 2);
    expect(verifyReceipt(receiptFor(0), entries[0]!, other.policy)).toMatchObject({
      ok: false,
      reason: /known key/,
    });
    const strangerWitnesses = { ...region(4, 2).policy, logKey: other.policy.logKey };
    expect(verifyReceipt(other.receiptFor(0), other.entries[0]!, strangerWitnesses)).toMatchObject({
      reason: /0 of 2/,
    });
    expect(verifyReceipt(receiptFor(0), entries[0]!, { ...other.policy, origin: 'x' }).ok).toBe(false);
  });

  it.each([
    ['a wrong header', 'c2sp.org/tlog-proof@v2\nindex 0\n\ncp\n'],
    ['a missing index line', `${PROOF_HEADER}\n\ncp\n`],
    ['a leading zero in the index', `${PROOF_HEADER}\nindex 01\n\ncp\n`],
    ['a short proof hash', `${PROOF_HEADER}\nindex 0\nAAAA\n\ncp\n`],
    ['no blank line', `${PROOF_HEADER}\nindex 0\n`],
    ['no checkpoint', `${PROOF_HEADER}\nindex 0\n\n`],
    ['bad extra', `${PROOF_HEADER}\nextra !!\nindex 0\n\ncp\n`],
  ])('rejects a receipt with %s', (_why, text) => {
    expect(() => parseReceipt(text)).toThrow(ReceiptError);
  });
});
