// Every vector in shared/fixtures/merkle-vectors must agree with our verifier.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromBase64 } from './bytes.ts';
import {
  verifyConsistency,
  verifyInclusion,
  verifySubtreeConsistency,
  verifySubtreeInclusion,
} from './merkle.ts';

const ROOT = '/work/shared/fixtures/merkle-vectors/testdata';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.json') ? [path] : [];
  });
}

function b64(text: string): Uint8Array {
  const bytes = fromBase64(text);
  if (!bytes) throw new Error(`bad base64 in vector: ${text}`);
  return bytes;
}

type Vector = Record<string, unknown> & { wantErr: boolean; proof: string[] | null };

function check(kind: string, v: Vector): boolean {
  const proof = (v.proof ?? []).map(b64);
  const n = (key: string) => v[key] as number;
  const h = (key: string) => b64(v[key] as string);
  switch (kind) {
    case 'inclusion':
      return verifyInclusion(n('leafIdx'), n('treeSize'), h('leafHash'), proof, h('root'));
    case 'subtreeinclusion':
      return verifySubtreeInclusion(
        n('leafIdx'),
        { start: n('start'), end: n('end') },
        h('leafHash'),
        proof,
        h('root'),
      );
    case 'consistency':
      return verifyConsistency(n('size1'), n('size2'), proof, h('root1'), h('root2'));
    case 'subtreeconsistency':
      return verifySubtreeConsistency(
        { start: n('start'), end: n('end') },
        n('size'),
        proof,
        h('root1'),
        h('root2'),
      );
    default:
      throw new Error(`unknown vector kind ${kind}`);
  }
}

for (const kind of ['inclusion', 'consistency', 'subtreeinclusion', 'subtreeconsistency']) {
  const vectors = files(join(ROOT, kind));
  describe(`${kind} vectors`, () => {
    it('exist', () => expect(vectors.length).toBeGreaterThan(10));
    it.each(vectors.map((path) => [relative(ROOT, path), path]))('%s agrees with wantErr', (_name, path) => {
      const vector = JSON.parse(readFileSync(path, 'utf8')) as Vector;
      expect(check(kind, vector)).toBe(!vector.wantErr);
    });
  });
}
