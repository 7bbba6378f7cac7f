import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointOfNote, signCheckpoint, verifierFromKey, openCheckpoint } from '@ketenlog/logbook';
import { ConfigError } from '../config.ts';
import { configuredKeys, NODE_ROLE, type KeyBinding, type KeyRegister } from '@ketenlog/region';
import { loadMembership, statementKeyProblem, type Membership } from './membership.ts';

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

describe('the statement key by the logbook', () => {
  const membership = () => loadMembership(REGION, SECRETS, '11110001');
  const binding = (keyId: string, holder: string, replaces?: string): KeyBinding => ({
    keyId,
    alg: 'Ed25519',
    publicKey: '',
    holder,
    role: NODE_ROLE,
    at: { iat: 1, origin: 'o', index: 0 },
    ...(replaces === undefined ? {} : { replaces }),
  });
  /** A register in which this node's key `keyId` is bound as `bindings` say. */
  const registerWith = (m: Membership, ...bindings: KeyBinding[]): KeyRegister => {
    const keys = configuredKeys(m.region);
    for (const b of bindings) keys.bindings.set(b.keyId, b);
    return keys;
  };
  const asKey = (m: Membership, keyId: string): Membership => ({
    ...m,
    statementKey: { ...m.statementKey, keyId },
  });

  it('accepts the region file key, and a key rotated in from it', () => {
    const m = membership();
    const region = m.statementKey.keyId;
    expect(statementKeyProblem(m, configuredKeys(m.region))).toBeUndefined();
    const keys = registerWith(m, binding('k2', 'ura:11110001', region), binding('k3', 'ura:11110001', 'k2'));
    keys.rotations.set(region, { at: { iat: 1, origin: 'o', index: 0 }, by: region, replacedBy: 'k2' });
    keys.rotations.set('k2', { at: { iat: 2, origin: 'o', index: 1 }, by: 'k2', replacedBy: 'k3' });
    expect(statementKeyProblem(asKey(m, 'k3'), keys)).toBeUndefined();
    expect(statementKeyProblem(m, keys)).toMatch(/was rotated out on the logbook \(replaced by k2\)/);
    keys.revocations.set('k3', { at: { iat: 3, origin: 'o', index: 2 }, by: 'k3' });
    expect(statementKeyProblem(asKey(m, 'k3'), keys)).toMatch(/is revoked on the logbook/);
  });

  it('refuses a key the log does not know, binds to another holder, or binds without a chain', () => {
    const m = membership();
    expect(statementKeyProblem(asKey(m, 'kx'), configuredKeys(m.region))).toMatch(
      /neither in the region file/,
    );
    const other = registerWith(m, binding('kx', 'ura:11110002', m.statementKey.keyId));
    expect(statementKeyProblem(asKey(m, 'kx'), other)).toMatch(/not a node key of ura:11110001/);
    const unchained = registerWith(m, binding('kx', 'ura:11110001'));
    expect(statementKeyProblem(asKey(m, 'kx'), unchained)).toMatch(/does not descend by rotations/);
  });
});
