import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointOfNote, signCheckpoint, verifierFromKey, openCheckpoint } from '@ketenlog/logbook';
import { ConfigError } from '../config.ts';
import { loadMembership } from './membership.ts';

const REGION = join(import.meta.dirname, '../../../region/config/demo-region.yaml');
const SECRETS = join(import.meta.dirname, '../../../region/config/demo-region.secrets.json');

describe('region membership', () => {
  it('loads each demo member with keys that match what the region publishes', () => {
    for (const ura of ['11110001', '11110002', '11110003', '11110004', '11110005']) {
      const m = loadMembership(REGION, SECRETS, ura);
      expect(m.organisation.ura).toBe(ura);
      expect(m.origin).toBe(`demo.ketenlog.example/${m.organisation.node.id}`);
      const note = signCheckpoint(
        { origin: m.origin, size: 0, root: new Uint8Array(32), extensions: [] },
        m.logSigner,
      );
      expect(checkpointOfNote(note).origin).toBe(m.origin);
      expect(openCheckpoint(note, m.origin, verifierFromKey(m.organisation.logKey)).checkpoint.size).toBe(0);
    }
  });

  it("refuses another organisation's keys, an unknown member and a malformed secrets file", () => {
    const all = JSON.parse(readFileSync(SECRETS, 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'ketenlog-secrets-'));
    const swapped = join(dir, 'swapped.json');
    writeFileSync(swapped, JSON.stringify(all.organisations['11110002']));
    expect(() => loadMembership(REGION, swapped, '11110001')).toThrow(/log key of 11110001 does not match/);

    const cosigner = join(dir, 'cosigner.json');
    writeFileSync(
      cosigner,
      JSON.stringify({
        ...all.organisations['11110001'],
        cosignerSecret: all.organisations['11110002'].cosignerSecret,
      }),
    );
    expect(() => loadMembership(REGION, cosigner, '11110001')).toThrow(/witness cosigner key/);

    expect(() => loadMembership(REGION, SECRETS, '99999999')).toThrow(ConfigError);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"logSigner": "x"');
    expect(() => loadMembership(REGION, broken, '11110001')).toThrow(/cannot read the secrets file/);
    const partial = join(dir, 'partial.json');
    writeFileSync(partial, JSON.stringify({ logSigner: all.organisations['11110001'].logSigner }));
    expect(() => loadMembership(REGION, partial, '11110001')).toThrow(
      /cosignerSecret: must be a non-empty string/,
    );
  });
});
