import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  CheckpointError,
  checkpointOfNote,
  formatCheckpoint,
  isConsistentSuccessor,
  openCheckpoint,
  parseCheckpoint,
  sameTreeHead,
  signCheckpoint,
} from './checkpoint.ts';
import { MemoryTreeStore, consistencyProof, emptyRoot, leafHash } from './merkle.ts';
import { NoteError, ed25519Signer, ed25519Verifier, generateSecretKey } from './note.ts';
import { utf8 } from './bytes.ts';

const ORIGIN = 'ketenlog.example/kraamzorg-noord/log';
const SPEC_EXAMPLE = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';

function logKeys(name = ORIGIN) {
  const secret = generateSecretKey();
  return {
    signer: ed25519Signer(name, secret),
    verifier: ed25519Verifier(name, ed25519.getPublicKey(secret)),
  };
}

describe('checkpoint bodies', () => {
  it('parses the tlog-checkpoint example and formats it back byte for byte', () => {
    const checkpoint = parseCheckpoint(SPEC_EXAMPLE);
    expect(checkpoint.origin).toBe('example.com/behind-the-sofa');
    expect(checkpoint.size).toBe(20852163);
    expect(checkpoint.extensions).toEqual([]);
    expect(formatCheckpoint(checkpoint)).toBe(SPEC_EXAMPLE);
  });

  it('keeps extension lines in order', () => {
    const body = `${SPEC_EXAMPLE}ext one\next two\n`;
    expect(parseCheckpoint(body).extensions).toEqual(['ext one', 'ext two']);
    expect(formatCheckpoint(parseCheckpoint(body))).toBe(body);
  });

  it.each([
    ['no final newline', SPEC_EXAMPLE.slice(0, -1)],
    ['a missing root line', 'example.com/log\n5\n'],
    ['an empty origin', '\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['a leading zero in the size', 'o\n05\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['a signed size', 'o\n+5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['a size beyond 2^53', 'o\n18446744073709551615\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['a short root hash', 'o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n'],
    ['unpadded base64', 'o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n'],
    ['an empty extension line', `${SPEC_EXAMPLE}\n`],
  ])('rejects a checkpoint with %s', (_why, body) => {
    expect(() => parseCheckpoint(body)).toThrow(CheckpointError);
  });

  it('refuses to format impossible checkpoints', () => {
    const root = emptyRoot();
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 0, root, extensions: [] })).toThrow(
      CheckpointError,
    );
    expect(() => formatCheckpoint({ origin: 'a', size: -1, root, extensions: [] })).toThrow(CheckpointError);
    expect(() => formatCheckpoint({ origin: 'a', size: 1, root: root.slice(1), extensions: [] })).toThrow(
      CheckpointError,
    );
    expect(() => formatCheckpoint({ origin: 'a', size: 1, root, extensions: [''] })).toThrow(CheckpointError);
  });
});

describe('signed checkpoints', () => {
  const checkpoint = { origin: ORIGIN, size: 1, root: leafHash(utf8('first')), extensions: [] };

  it('a checkpoint signed by the log opens with the log key', () => {
    const log = logKeys();
    const note = signCheckpoint(checkpoint, log.signer);
    const opened = openCheckpoint(note, ORIGIN, log.verifier);
    expect(sameTreeHead(opened.checkpoint, checkpoint)).toBe(true);
    expect(sameTreeHead(checkpointOfNote(note), checkpoint)).toBe(true);
  });

  it('rejects a checkpoint signed by another key, for another origin, or with a changed size', () => {
    const log = logKeys();
    const impostor = logKeys();
    expect(() => openCheckpoint(signCheckpoint(checkpoint, impostor.signer), ORIGIN, log.verifier)).toThrow(
      NoteError,
    );
    const note = signCheckpoint(checkpoint, log.signer);
    expect(() => openCheckpoint(note, 'other.example/log', log.verifier)).toThrow(/origin/);
    expect(() => openCheckpoint(note.replace(`\n1\n`, `\n2\n`), ORIGIN, log.verifier)).toThrow(
      /invalid signature/,
    );
  });

  it('a note signed only by a cosigner is not a checkpoint of the log', () => {
    const log = logKeys();
    const witness = logKeys('witness.example');
    const note = signCheckpoint(checkpoint, witness.signer);
    expect(() => openCheckpoint(note, ORIGIN, log.verifier, [witness.verifier])).toThrow(
      /not signed by the log/,
    );
  });
});

describe('consistent successors', () => {
  const store = new MemoryTreeStore();
  const heads = [{ origin: ORIGIN, size: 0, root: emptyRoot(), extensions: [] }];
  for (let i = 0; i < 9; i++) {
    store.append(leafHash(utf8(`entry ${i}`)));
    heads.push({ origin: ORIGIN, size: store.size, root: store.root(), extensions: [] });
  }

  it('a larger checkpoint with a valid consistency proof extends the older one', () => {
    expect(isConsistentSuccessor(heads[3]!, heads[9]!, consistencyProof(3, 9, store.read))).toBe(true);
    expect(isConsistentSuccessor(heads[0]!, heads[9]!, [])).toBe(true);
    expect(isConsistentSuccessor(heads[9]!, heads[9]!, [])).toBe(true);
  });

  it('two roots for one size are a split view, and a shrinking log is refused', () => {
    expect(isConsistentSuccessor(heads[4]!, { ...heads[4]!, root: heads[5]!.root }, [])).toBe(false);
    expect(isConsistentSuccessor(heads[9]!, heads[3]!, consistencyProof(3, 9, store.read))).toBe(false);
  });

  it('a wrong proof, another origin or a rewritten history is refused', () => {
    const proof = consistencyProof(3, 9, store.read);
    expect(isConsistentSuccessor(heads[3]!, heads[9]!, proof.slice(1))).toBe(false);
    expect(isConsistentSuccessor(heads[3]!, { ...heads[9]!, origin: 'other.example/log' }, proof)).toBe(
      false,
    );
    expect(isConsistentSuccessor({ ...heads[3]!, root: heads[2]!.root }, heads[9]!, proof)).toBe(false);
  });
});
