import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromBase64, keyIdOf, signerFromKey, toBase64 } from '@ketenlog/logbook';
import { assert, describe, expect, it } from 'vitest';
import { generateDemoRegion } from './demo-region.ts';
import { RegionConfigError, loadRegionConfig, parseRegionConfig } from './load-region-config.ts';
import { logOriginOf, mayAuthor, organisationOfLog } from './region-config.ts';

const demo = generateDemoRegion();

/** 1-based line of the first line containing `needle` (after `after`, if given). */
function lineOf(text: string, needle: string, after = ''): number {
  const start = after ? text.indexOf(after) : 0;
  const at = text.indexOf(needle, start);
  if (at < 0) throw new Error(`fixture lacks ${needle}`);
  return text.slice(0, at).split('\n').length;
}

function parseError(text: string): RegionConfigError {
  try {
    parseRegionConfig(text, 'region.yaml');
  } catch (error) {
    if (error instanceof RegionConfigError) return error;
    throw error;
  }
  throw new Error('expected a RegionConfigError');
}

describe('region configuration', () => {
  it('reads the generated demo region with ten organisations, roles and professionals', () => {
    const config = parseRegionConfig(demo.yaml, 'demo.yaml');
    expect(config.organisations.map((o) => o.type)).toEqual([
      'kraamzorg',
      'verloskunde',
      'ziekenhuis',
      'zorgverzekeraar',
      'statistiek',
      'kraamzorg',
      'kraamzorg',
      'huisarts',
      'apotheek',
      'rso',
    ]);
    expect(config.witnesses).toEqual({ quorum: 4, members: config.organisations.map((o) => o.ura) });
    expect(mayAuthor(config, 'kraamverzorgende', 'carelog.entry')).toBe(true);
    expect(mayAuthor(config, 'kraamverzorgende', 'consent')).toBe(false);
    expect(mayAuthor(config, 'client', 'carelog.approval')).toBe(true);
    expect(config.professionals).toHaveLength(39);
    const kraamzorg = config.organisations[0];
    assert(kraamzorg);
    expect(organisationOfLog(config, logOriginOf(config, kraamzorg))).toBe(kraamzorg);
    expect(organisationOfLog(config, `${logOriginOf(config, kraamzorg)}/consent`)).toBe(kraamzorg);
    expect(organisationOfLog(config, `${logOriginOf(config, kraamzorg)}x`)).toBeUndefined();
  });

  it('pairs every demo public key with its demo secret', () => {
    const config = parseRegionConfig(demo.yaml, 'demo.yaml');
    for (const org of config.organisations) {
      const secrets = demo.secrets.organisations[org.ura];
      const [key] = org.statementKeys;
      assert(secrets && key, `demo secrets and a statement key for ${org.ura}`);
      const secret = fromBase64(secrets.statementSecret) as Uint8Array;
      expect(toBase64(ed25519.getPublicKey(secret))).toBe(key.publicKey);
      expect(keyIdOf('Ed25519', ed25519.getPublicKey(secret))).toBe(key.keyId);
      expect(signerFromKey(secrets.logSigner).name).toBe(logOriginOf(config, org));
    }
  });

  it('reads the committed demo region file', () => {
    const file = fileURLToPath(new URL('../../config/demo-region.yaml', import.meta.url));
    const config = loadRegionConfig(file);
    expect(config.organisations).toHaveLength(10);
    expect(readFileSync(file, 'utf8')).toContain('DEMO KEYS');
  });

  it('names the file when it cannot be read', () => {
    expect(() => loadRegionConfig('/nonexistent/region.yaml')).toThrow(
      '/nonexistent/region.yaml: cannot read the region configuration file',
    );
  });

  it('reports bad YAML with its line', () => {
    const text = demo.yaml.replace('  name: Demo regio Maasland', '  name: [Demo regio');
    const error = parseError(text);
    expect(error.message).toMatch(/^region\.yaml:\d+: invalid YAML/);
    expect(error.line).toBeGreaterThanOrEqual(lineOf(text, 'name: [Demo'));
  });

  it('reports an empty file and a top level that is not a mapping', () => {
    expect(parseError('').message).toBe('region.yaml: the file is empty');
    expect(parseError('- a\n- b\n').message).toBe('region.yaml:1: the top level must be a mapping');
    expect(parseError('region:\n  name: x\n  name: y\n').message).toMatch(
      /^region\.yaml:3: invalid YAML: Map keys must be unique/,
    );
  });

  it('reports a missing field at the line of its parent', () => {
    const text = demo.yaml.replace('    name: "Ziekenhuis Maasland"\n', '');
    const error = parseError(text);
    expect(error.field).toBe('organisations[2].name');
    expect(error.line).toBe(lineOf(text, 'ura: "11110003"'));
    expect(error.message).toBe(`region.yaml:${error.line}: organisations[2].name: is required`);
  });

  it('refuses a URA that is not 8 digits', () => {
    const text = demo.yaml.replace('ura: "11110002"', 'ura: "1111002"');
    const error = parseError(text);
    expect(error.field).toBe('organisations[1].ura');
    expect(error.line).toBe(lineOf(text, 'ura: "1111002"'));
    expect(error.message).toContain('must be a URA of 8 digits');
  });

  it('refuses an unquoted URA that lost its leading zero', () => {
    const text = demo.yaml.replace('ura: "11110002"', 'ura: 01234567');
    expect(parseError(text).field).toBe('organisations[1].ura');
  });

  it('refuses a statement key whose key ID does not match its public key', () => {
    const wrongId = demo.yaml.replace(/keyId: "[0-9a-f]{32}"/, 'keyId: "00000000000000000000000000000000"');
    const error = parseError(wrongId);
    expect(error.field).toBe('organisations[0].keys.statements[0].keyId');
    expect(error.line).toBe(lineOf(wrongId, 'keyId: "0000'));
    expect(error.message).toContain('does not match the public key');
  });

  it('refuses a statement public key that is not 32 bytes of base64', () => {
    const text = demo.yaml.replace(/publicKey: "[^"]+"/, 'publicKey: "AAAA"');
    const error = parseError(text);
    expect(error.field).toBe('organisations[0].keys.statements[0].publicKey');
    expect(error.line).toBe(lineOf(text, 'publicKey: "AAAA"'));
  });

  it('refuses a log vkey that is malformed, of the wrong type, or not named after the log origin', () => {
    const bad = demo.yaml.replace(/log: "[^"]+"/, 'log: "not-a-vkey"');
    expect(parseError(bad)).toMatchObject({
      field: 'organisations[0].keys.log',
      line: lineOf(bad, 'not-a-vkey'),
    });
    const cosignerAsLog = demo.yaml.replace(
      /log: "[^"]+"/,
      `log: ${/cosigner: ("[^"]+")/.exec(demo.yaml)?.[1]}`,
    );
    expect(parseError(cosignerAsLog).message).toContain('must be an Ed25519 note (type 0x01) vkey');
    const otherOrigin = demo.yaml.replace('id: kraamzorg-dewieg', 'id: kraamzorg-anders');
    expect(parseError(otherOrigin).message).toContain('key name must be the log origin');
  });

  it('refuses a quorum larger than the witnesses named', () => {
    const text = demo.yaml.replace('quorum: 4', 'quorum: 11');
    const error = parseError(text);
    expect(error.field).toBe('witnesses.quorum');
    expect(error.line).toBe(lineOf(text, 'quorum: 11'));
    expect(error.message).toContain('11 is larger than the 10 witnesses named');
  });

  it('refuses a witness that is not a member', () => {
    const text = demo.yaml.replace(/members: \["11110001"/, 'members: ["99999999"');
    expect(parseError(text)).toMatchObject({
      field: 'witnesses.members[0]',
      line: lineOf(text, '"99999999"'),
    });
  });

  it('refuses a professional with an unknown role', () => {
    const text = demo.yaml.replace('role: verloskundige }', 'role: tovenaar }');
    const error = parseError(text);
    expect(error.field).toBe('professionals[1].role');
    expect(error.line).toBe(lineOf(text, 'role: tovenaar'));
    expect(error.message).toContain('unknown professional role "tovenaar"');
  });

  it('refuses a professional in a role her organisation type does not have', () => {
    const text = demo.yaml.replace(
      'organisation: "11110003", role: medisch-specialist',
      'organisation: "11110004", role: medisch-specialist',
    );
    expect(parseError(text).message).toContain(
      'medisch-specialist is not a role at a zorgverzekeraar organisation',
    );
  });

  it('refuses a role that lets anyone but the client or her delegate consent', () => {
    const text = demo.yaml.replace('kinds: [carelog.entry]', 'kinds: [carelog.entry, consent]');
    const error = parseError(text);
    expect(error.field).toBe('roles.kraamverzorgende.kinds[1]');
    expect(error.line).toBe(lineOf(text, 'kinds: [carelog.entry, consent]'));
    expect(error.message).toContain('consent may only be authored by the client or her delegate');
  });

  it('refuses an unknown statement kind, a missing reserved role and an unknown field', () => {
    expect(parseError(demo.yaml.replace('kinds: [carelog.entry]', 'kinds: [carelog.bill]')).field).toBe(
      'roles.kraamverzorgende.kinds[0]',
    );
    const noClient = demo.yaml.replace('  client:\n    kinds: [consent, carelog.approval]\n', '');
    expect(parseError(noClient)).toMatchObject({ field: 'roles.client', line: lineOf(noClient, 'roles:') });
    const typo = demo.yaml.replace('  quorum: 4', '  quorom: 4');
    expect(parseError(typo)).toMatchObject({ field: 'witnesses.quorom', line: lineOf(typo, 'quorom') });
  });

  it('lists the clinical roles that may break the glass; without the list, the clinical ones it defines', () => {
    expect([...parseRegionConfig(demo.yaml, 'demo.yaml').breakTheGlassRoles].sort()).toEqual([
      'huisarts',
      'medisch-specialist',
      'verloskundige',
    ]);
    const without = demo.yaml.replace(/\nbreakTheGlass:\n {2}roles: \[[^\]]*\]\n/, '\n');
    expect(without).not.toContain('breakTheGlass:');
    expect([...parseRegionConfig(without, 'demo.yaml').breakTheGlassRoles].sort()).toEqual([
      'huisarts',
      'medisch-specialist',
      'verloskundige',
    ]);
    const insurer = demo.yaml.replace(
      'roles: [medisch-specialist, huisarts, verloskundige]',
      'roles: [medisch-specialist, declaratiebeoordelaar]',
    );
    expect(parseError(insurer)).toMatchObject({
      field: 'breakTheGlass.roles[1]',
      message: expect.stringContaining('declaratiebeoordelaar is not a clinical role'),
    });
    const unknown = demo.yaml.replace(
      'roles: [medisch-specialist, huisarts, verloskundige]',
      'roles: [node, huisarts]',
    );
    expect(parseError(unknown).field).toBe('breakTheGlass.roles[0]');
  });

  it('refuses duplicate URAs', () => {
    const text = demo.yaml.replace('ura: "11110002"', 'ura: "11110001"');
    expect(parseError(text)).toMatchObject({
      field: 'organisations[1].ura',
      line: lineOf(text, 'Verloskundigenpraktijk') - 1,
    });
  });
});
