import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { membershipOf, loadNodeSecrets } from './region/membership.ts';
import { parseRegionConfig } from '@ketenlog/region';
import { demoRegionYaml } from './region/testing.ts';

const CLI = join(import.meta.dirname, 'cli.ts');
const ketenlog = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('the ketenlog command line', () => {
  it('lists its commands, and each command has its own --help', () => {
    const overview = ketenlog('--help');
    expect(overview.status).toBe(0);
    for (const name of ['start', 'node', 'import', 'verify', 'verify-receipt', 'keygen']) {
      expect(overview.stdout).toContain(`  ${name} `);
      const help = ketenlog(name, '--help');
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: ketenlog ${name}`));
    }
  });

  it('answers a wrong call with a plain message and exit code 2', () => {
    const unknown = ketenlog('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(unknown.stderr).not.toMatch(/at .*\.ts:\d+/);
    const missing = ketenlog('node');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--config <file> is required');
  });

  it('imports good files, rejects a bad one with its reason, and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ketenlog-cli-'));
    writeFileSync(
      join(dir, 'good.json'),
      JSON.stringify({ resourceType: 'Patient', id: 'cli-1', gender: 'female' }),
    );
    writeFileSync(join(dir, 'bad.json'), '{"resourceType": "Patient",');
    const result = ketenlog('import', '--database', join(dir, 'fhir.sqlite'), dir);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('1 loaded');
    expect(result.stdout).toMatch(/rejected .*bad\.json/);
    const again = ketenlog('import', '--database', join(dir, 'fhir.sqlite'), join(dir, 'good.json'));
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('1 unchanged');
  });

  it('names the file, line and field of a configuration mistake', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ketenlog-cli-'));
    const config = join(dir, 'node.yaml');
    writeFileSync(config, 'node: x\norganisation:\n  ura: "123"\n  name: X\n  type: kraamzorg\n');
    const result = ketenlog('node', '--config', config);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/node\.yaml:3.*ura/);
  });

  it("keygen writes a member's secrets and prints public keys that the region file accepts", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ketenlog-cli-'));
    const secrets = join(dir, 'org.secrets.json');
    const result = ketenlog(
      'keygen',
      '--origin-prefix',
      'demo.ketenlog.example/',
      '--node',
      'kraamzorg-dewieg',
      '--secrets',
      secrets,
    );
    expect(result.status).toBe(0);
    const block = result.stdout
      .split('\n')
      .filter((l) => l.startsWith('    '))
      .join('\n');
    // The demo region with the first member's keys replaced by the new ones.
    const demo = demoRegionYaml({ members: 2, quorum: 1 });
    const first = demo.indexOf('    keys:');
    const end = demo.indexOf('\n  - ura:', first);
    const region = parseRegionConfig(`${demo.slice(0, first)}${block}${demo.slice(end)}`, 'region.yaml');
    const membership = membershipOf(region, loadNodeSecrets(secrets, '11110001'), '11110001');
    expect(membership.origin).toBe('demo.ketenlog.example/kraamzorg-dewieg');
    // Never overwrites keys.
    expect(ketenlog('keygen', '--origin-prefix', 'x/', '--node', 'a', '--secrets', secrets).status).toBe(2);
  });
});
