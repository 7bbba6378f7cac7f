// Keys and accounts for a production node's identity, and `ketenlog node` refusing demo keys and
// loosely protected secrets — over the real command line.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { loadProfessionalAccounts, verifyPassword } from '@ketenlog/auth';
import { loadNodeSecrets } from '../region/membership.ts';
import { DEMO_SECRETS_FILE, demoRegionYaml, freePorts } from '../region/testing.ts';

const CLI = join(import.meta.dirname, '../cli.ts');
const ketenlog = (args: string[], input?: string) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, input });

describe('ketenlog keygen-oidc and keygen-professional', () => {
  it('writes the OIDC client key at mode 600 and prints only its public half', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ketenlog-keygen-'));
    const out = join(dir, 'digid.jwk');
    const result = ketenlog(['keygen-oidc', '--out', out]);
    expect(result.status).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const key = JSON.parse(readFileSync(out, 'utf8'));
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', d: expect.any(String) });
    const printed = JSON.parse(result.stdout.replace(/^#.*\n/, ''));
    expect(printed.keys[0]).toMatchObject({ kid: key.kid, x: key.x, use: 'sig' });
    expect(printed.keys[0].d).toBeUndefined();
    expect(ketenlog(['keygen-oidc', '--out', out]).status).toBe(2); // never overwrites a key
  });

  it("makes a professional's account that the accounts file loads, with a working TOTP", async () => {
    const result = ketenlog(
      [
        'keygen-professional',
        '--id',
        'pro:anna-jansen',
        '--name',
        'Anna Jansen',
        '--organisation',
        '11110001',
        '--role',
        'kraamverzorgende',
      ],
      'een lang wachtwoord\n',
    );
    expect(result.status).toBe(0);
    const account = JSON.parse(result.stdout);
    expect(account.passwordHash).toMatch(/^scrypt\$/);
    expect(result.stdout).not.toContain('een lang wachtwoord');
    expect(await verifyPassword('een lang wachtwoord', account.passwordHash)).toBe(true);
    const secret = /secret=([A-Z2-7]+)/.exec(result.stderr)![1]!;
    expect(secret).toBe(account.totpSecret);
    const file = join(mkdtempSync(join(tmpdir(), 'ketenlog-accounts-')), 'professionals.json');
    writeFileSync(file, JSON.stringify({ accounts: [account] }), { mode: 0o600 });
    expect(loadProfessionalAccounts(file)[0]).toMatchObject({ id: 'pro:anna-jansen' });
    expect(await generate({ secret })).toMatch(/^\d{6}$/);
    const short = ketenlog(
      ['keygen-professional', '--id', 'pro:x', '--name', 'X', '--organisation', '11110001', '--role', 'r'],
      'kort\n',
    );
    expect(short.status).toBe(2);
  });
});

describe('ketenlog node outside demo mode', () => {
  it('refuses the demo keys, and a secrets file others may read, saying why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ketenlog-prod-'));
    const [port] = await freePorts(1);
    const regionFile = join(dir, 'region.yaml');
    writeFileSync(
      regionFile,
      demoRegionYaml({
        uras: ['11110001', '11110010'],
        quorum: 1,
        baseUrls: [`http://127.0.0.1:${port}`, 'http://127.0.0.1:1'],
      }),
    );
    const secrets = join(dir, 'secrets.json');
    writeFileSync(secrets, JSON.stringify(loadNodeSecrets(DEMO_SECRETS_FILE, '11110001')), { mode: 0o600 });
    const config = join(dir, 'node.yaml');
    const write = (extra = '') =>
      writeFileSync(
        config,
        [
          'node: kraamzorg-dewieg',
          'organisation: { ura: "11110001", name: Kraamzorg De Wieg, type: kraamzorg }',
          `listen: { host: 127.0.0.1, port: ${port} }`,
          `database: ${join(dir, 'k.sqlite')}`,
          `region: { config: ${regionFile}, secrets: ${secrets} }`,
          extra,
        ].join('\n'),
      );
    write();
    const demoKeys = ketenlog(['node', '--config', config]);
    expect(demoKeys.status).toBe(2);
    expect(demoKeys.stderr).toMatch(/refusing to start outside demo mode/);
    expect(demoKeys.stderr).toMatch(/demo region's log or witness key/);
    chmodSync(secrets, 0o644);
    const loose = ketenlog(['node', '--config', config]);
    expect(loose.status).toBe(2);
    expect(loose.stderr).toMatch(
      /region\.secrets .*secrets\.json: readable or writable by others \(mode 644\)/,
    );
  });
});
