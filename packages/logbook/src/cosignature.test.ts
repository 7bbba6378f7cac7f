import { ed25519 } from '@noble/curves/ed25519.js';
import { assert, describe, expect, it } from 'vitest';
import { toBase64, utf8 } from './bytes.ts';
import { formatCheckpoint, signCheckpoint } from './checkpoint.ts';
import {
  QuorumError,
  cosignatureVerifierFromKey,
  cosignedMessage,
  decodeTimestampedSignature,
  ed25519CosignatureVerifier,
  ed25519Cosigner,
  encodeCosignerKey,
  openCosignedCheckpoint,
} from './cosignature.ts';
import { leafHash } from './merkle.ts';
import {
  NoteError,
  addSignatures,
  ed25519Signer,
  ed25519Verifier,
  generateSecretKey,
  parseNote,
} from './note.ts';

const ORIGIN = 'ketenlog.example/huisarts-zuid/log';
const NOW = 1_763_856_000;

function party(name: string) {
  const secret = generateSecretKey();
  return { name, secret, publicKey: ed25519.getPublicKey(secret) };
}

function witness(name: string, clock = () => NOW) {
  const p = party(name);
  return {
    cosigner: ed25519Cosigner(name, p.secret, clock),
    verifier: ed25519CosignatureVerifier(name, p.publicKey),
  };
}

const log = party(ORIGIN);
const logVerifier = ed25519Verifier(ORIGIN, log.publicKey);
const checkpoint = { origin: ORIGIN, size: 3, root: leafHash(utf8('x')), extensions: [] };
const signedByLog = signCheckpoint(checkpoint, ed25519Signer(ORIGIN, log.secret));

describe('cosignature/v1', () => {
  it('signs the header line, the time line and the checkpoint body', () => {
    expect(new TextDecoder().decode(cosignedMessage('o\n1\nAA==\n', 1679315147))).toBe(
      'cosignature/v1\ntime 1679315147\no\n1\nAA==\n',
    );
  });

  it('a cosignature line carries the cosigner key ID, a big-endian timestamp and a 64-byte signature', () => {
    const w = witness('witness.example/w1');
    const note = addSignatures(signedByLog, [w.cosigner]);
    const line = parseNote(note).signatures[1];
    assert(line);
    expect(line.keyId).toEqual(w.verifier.keyId);
    expect(line.signature).toHaveLength(72);
    expect(decodeTimestampedSignature(line.signature)?.timestamp).toBe(NOW);
  });

  it('cosigner key IDs use algorithm byte 0x04, unlike note keys with 0x01', () => {
    const p = party('witness.example/w1');
    expect(ed25519CosignatureVerifier(p.name, p.publicKey).keyId).not.toEqual(
      ed25519Verifier(p.name, p.publicKey).keyId,
    );
    const vkey = encodeCosignerKey(p.name, p.publicKey);
    expect(vkey).toMatch(
      new RegExp(`^witness\\.example/w1\\+[0-9a-f]{8}\\+${toBase64(Uint8Array.of(4)).slice(0, 1)}`),
    );
    expect(cosignatureVerifierFromKey(vkey).keyId).toEqual(
      ed25519CosignatureVerifier(p.name, p.publicKey).keyId,
    );
  });

  it('a checkpoint with a quorum of cosignatures opens and reports each cosigner and time', () => {
    const [a, b, c] = [witness('w.example/a'), witness('w.example/b', () => NOW + 5), witness('w.example/c')];
    const note = addSignatures(signedByLog, [a.cosigner, b.cosigner]);
    const opened = openCosignedCheckpoint(note, ORIGIN, logVerifier, [a.verifier, b.verifier, c.verifier], 2);
    expect(opened.cosignatures).toEqual([
      { cosigner: 'w.example/a', timestamp: NOW },
      { cosigner: 'w.example/b', timestamp: NOW + 5 },
    ]);
    expect(opened.checkpoint.size).toBe(3);
  });

  it('below quorum the checkpoint is not final', () => {
    const [a, b] = [witness('w.example/a'), witness('w.example/b')];
    const note = addSignatures(signedByLog, [a.cosigner]);
    expect(() => openCosignedCheckpoint(note, ORIGIN, logVerifier, [a.verifier, b.verifier], 2)).toThrow(
      QuorumError,
    );
  });

  it('a cosignature with a changed timestamp, or over another checkpoint, is rejected', () => {
    const a = witness('w.example/a');
    const note = addSignatures(signedByLog, [a.cosigner]);
    const parsed = parseNote(note);
    const cosig = parsed.signatures[1];
    assert(cosig);
    const bumped = cosig.signature.slice();
    bumped[7]! ^= 1;
    const tampered = note.replace(
      toBase64(new Uint8Array([...cosig.keyId, ...cosig.signature])),
      toBase64(new Uint8Array([...cosig.keyId, ...bumped])),
    );
    expect(() => openCosignedCheckpoint(tampered, ORIGIN, logVerifier, [a.verifier], 1)).toThrow(
      /invalid signature/,
    );
    expect(a.verifier.verify(formatCheckpoint({ ...checkpoint, size: 4 }), cosig.signature)).toBe(false);
    expect(a.verifier.verify(parsed.text, cosig.signature)).toBe(true);
  });

  it('a log signature is not accepted as a cosignature from the same key', () => {
    const p = party('w.example/a');
    const plain = addSignatures(signedByLog, [ed25519Signer(p.name, p.secret)]);
    const verifier = ed25519CosignatureVerifier(p.name, p.publicKey);
    expect(() => openCosignedCheckpoint(plain, ORIGIN, logVerifier, [verifier], 1)).toThrow(QuorumError);
  });

  it('rejects malformed timestamped signatures and bad keys', () => {
    expect(decodeTimestampedSignature(new Uint8Array(71))).toBeUndefined();
    const huge = new Uint8Array(72).fill(0xff);
    expect(decodeTimestampedSignature(huge)).toBeUndefined();
    expect(() => ed25519CosignatureVerifier('w', new Uint8Array(31))).toThrow(NoteError);
    expect(() => cosignedMessage('x\n', -1)).toThrow(RangeError);
    const p = party('w.example/a');
    expect(() => cosignatureVerifierFromKey(`${p.name}+00000000+AQ==`)).toThrow(NoteError);
  });
});
