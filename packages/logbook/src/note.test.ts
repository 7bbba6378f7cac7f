import { describe, expect, it } from 'vitest';
import { toBase64 } from './bytes.ts';
import {
  NoteError,
  addSignatures,
  decodeVerifierKey,
  ed25519Signer,
  ed25519Verifier,
  encodeSignerKey,
  encodeVerifierKey,
  generateSecretKey,
  openNote,
  parseNote,
  signNote,
  signerFromKey,
  verifierFromKey,
} from './note.ts';
import { ed25519 } from '@noble/curves/ed25519.js';

// The worked example of Go's sumdb/note documentation (also in C2SP signed-note).
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_NOTE = `${PETER_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

function keypair(name: string) {
  const secret = generateSecretKey();
  return {
    signer: ed25519Signer(name, secret),
    verifier: ed25519Verifier(name, ed25519.getPublicKey(secret)),
  };
}

describe('signed notes', () => {
  it('opens the Go sumdb/note example with its published vkey', () => {
    const opened = openNote(PETER_NOTE, [verifierFromKey(PETER_VKEY)]);
    expect(opened.text).toBe(PETER_TEXT);
    expect(opened.verified.map((s) => s.name)).toEqual(['PeterNeumann']);
  });

  it('parses the signed-note example whose text contains an empty line', () => {
    const text =
      'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n';
    const sig =
      'NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=';
    const note = parseNote(`${text}\n— quasimodo.example/salvatore ${sig}\n`);
    expect(note.text).toBe(text);
    expect(note.signatures.map((s) => s.name)).toEqual(['quasimodo.example/salvatore']);
    expect(note.signatures[0]?.signature).toHaveLength(64);
  });

  it('round-trips a signer key and signs deterministically with it', () => {
    const secret = generateSecretKey();
    const skey = encodeSignerKey('node.example/log', secret);
    const signer = signerFromKey(skey);
    expect(signer.keyId).toEqual(ed25519Signer('node.example/log', secret).keyId);
    expect(signNote('x\n', [signer])).toBe(signNote('x\n', [ed25519Signer('node.example/log', secret)]));
    expect(() => signerFromKey(skey.replace('node', 'nodf'))).toThrow(/does not match/);
    expect(() => signerFromKey('PRIVATE+KEY+x')).toThrow(/malformed/);
  });

  it('encodes and decodes vkeys with a key ID bound to name and key', () => {
    const secret = generateSecretKey();
    const publicKey = ed25519.getPublicKey(secret);
    const vkey = encodeVerifierKey('node.example/log', 0x01, publicKey);
    expect(decodeVerifierKey(vkey).publicKey).toEqual(publicKey);
    expect(verifierFromKey(vkey).keyId).toEqual(ed25519Signer('node.example/log', secret).keyId);
    expect(() => decodeVerifierKey(vkey.replace('node', 'nodf'))).toThrow(/does not match/);
    expect(() => decodeVerifierKey('a+b')).toThrow(NoteError);
    expect(() => decodeVerifierKey('a+zzzzzzzz+AQ==')).toThrow(/hex/);
  });

  it('signs with several keys and a verifier needs to know only one', () => {
    const a = keypair('a.example');
    const b = keypair('b.example');
    const note = signNote('hello\n', [a.signer, b.signer]);
    expect(openNote(note, [b.verifier]).verified.map((s) => s.name)).toEqual(['b.example']);
    expect(openNote(note, [a.verifier, b.verifier]).verified).toHaveLength(2);
  });

  it('adds a signature to a signed note without disturbing the first', () => {
    const a = keypair('a.example');
    const b = keypair('b.example');
    const note = addSignatures(signNote('hello\n', [a.signer]), [b.signer]);
    expect(parseNote(note).signatures.map((s) => s.name)).toEqual(['a.example', 'b.example']);
    expect(openNote(note, [a.verifier, b.verifier]).verified).toHaveLength(2);
  });

  it('rejects a note signed only by unknown keys', () => {
    const a = keypair('a.example');
    const stranger = keypair('stranger.example');
    expect(() => openNote(signNote('hi\n', [stranger.signer]), [a.verifier])).toThrow(
      /no signature by a known key/,
    );
  });

  it('rejects a changed text, a wrong signature and a duplicated signature by a known key', () => {
    const a = keypair('a.example');
    const note = signNote('hello\n', [a.signer]);
    expect(() => openNote(note.replace('hello', 'hellp'), [a.verifier])).toThrow(/invalid signature/);
    const other = keypair('a.example');
    const forged = signNote('hello\n', [other.signer]).replace(
      toBase64(other.signer.keyId).slice(0, 4),
      toBase64(a.signer.keyId).slice(0, 4),
    );
    expect(() => openNote(forged, [a.verifier])).toThrow(NoteError);
    const sigLine = note.slice(note.indexOf('—'));
    expect(() => openNote(note + sigLine, [a.verifier])).toThrow(/duplicate/);
  });

  it.each([
    ['no blank line', 'hello\n— a.example AAAAAAA=\n'],
    ['no signatures', 'hello\n\n'],
    ['a signature block without final newline', 'hello\n\n— a.example AAAAAAAA'],
    ['a hyphen instead of an em dash', 'hello\n\n- a.example AAAAAAAA\n'],
    ['a key name with a plus', 'hello\n\n— a+b AAAAAAAA\n'],
    ['bad base64', 'hello\n\n— a.example AAAA!AAA\n'],
    ['a signature shorter than a key ID', 'hello\n\n— a.example AAAA\n'],
    ['nothing but a signature', '— a.example AAAAAAAA\n'],
    ['a control character in the text', 'hel\tlo\n\n— a.example AAAAAAAA\n'],
    ['an extra field on the signature line', 'hello\n\n— a.example AAAAAAAA x\n'],
  ])('rejects a note with %s', (_why, message) => {
    expect(() => parseNote(message)).toThrow(NoteError);
  });

  it('refuses to sign text that does not end in a newline, or with a bad key name', () => {
    const a = keypair('a.example');
    expect(() => signNote('hello', [a.signer])).toThrow(/newline/);
    expect(() => ed25519Signer('has space', generateSecretKey())).toThrow(/key name/);
  });
});
