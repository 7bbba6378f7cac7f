// Demo identity only in demo mode: a node that is not in demo mode refuses the demo region's keys,
// demo passwords and loosely protected secrets, serves no Demo-DigiD, and its professionals log in
// only with credentials from their secret file (scrypt, TOTP once, lock-out).
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'otplib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { hashPassword, newTotpSecret } from '@ketenlog/auth';
import { startRegion, type RunningRegion } from '../region/run-region.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';
import { freshKeyRegion, type FreshRegion } from './fresh-region.ts';
import { demoCredentialsOf } from './node-auth.ts';

const ANNA = 'pro:anna-jansen';
let region: RunningRegion | undefined;
afterEach(async () => {
  await region?.close();
  region = undefined;
});

async function accountsFile(fresh: FreshRegion, password: string, totpSecret: string, mode = 0o600) {
  const file = join(fresh.dir, 'professionals.json');
  const accounts = [
    {
      id: ANNA,
      name: 'Anna Jansen',
      memberships: [{ organisation: 'ura:11110001', role: 'kraamverzorgende' }],
      passwordHash: await hashPassword(password),
      totpSecret,
    },
  ];
  writeFileSync(file, JSON.stringify({ accounts }), { mode });
  chmodSync(file, mode);
  return file;
}

const start = (files: Omit<FreshRegion, 'dir'>, options: Partial<Parameters<typeof startRegion>[0]> = {}) =>
  startRegion({ ...files, logLevel: 'fatal', ...options });

describe('a node outside demo mode', () => {
  it('refuses to start with the demo region keys, and says why', async () => {
    const files = await demoRegionOnFreePorts({ members: 2, quorum: 1 });
    await expect(start(files, { demo: false })).rejects.toThrow(
      /refusing to start outside demo mode[\s\S]*11110001 uses the demo region's log or witness key/,
    );
  });

  it('with fresh keys starts, serves no Demo-DigiD and no demo logins, and says DigiD is not set up', async () => {
    const fresh = await freshKeyRegion({ members: 2, quorum: 1 });
    region = await start(fresh, { demo: false });
    const base = region.node('11110001').fhirBase.replace(/\/fhir$/, '');
    const mode = await (await fetch(`${base}/auth/mode`)).json();
    expect(mode).toMatchObject({ demo: false, clientLogin: { configured: false }, passwordLogin: false });
    expect(mode.banner).toBeUndefined();
    expect((await fetch(`${base}/auth/demo-digid?state=x&callback=y`)).status).toBe(404);
    const enrol = await fetch(`${base}/auth/passkeys/enrol`, { redirect: 'manual' });
    expect(enrol.status).toBe(503);
    expect((await enrol.json()).issue[0].diagnostics).toMatch(
      /DigiD is bij deze organisatie \(nog\) niet ingesteld/,
    );
    const { password, totpSecret } = demoCredentialsOf(ANNA);
    const login = await fetch(`${base}/auth/professionals/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: ANNA, password, totp: await generate({ secret: totpSecret }) }),
    });
    expect(login.status).toBe(401);
  });

  it('refuses demo passwords and demo TOTP secrets in its accounts file, naming the account', async () => {
    const fresh = await freshKeyRegion({ members: 2, quorum: 1 });
    const demo = demoCredentialsOf(ANNA);
    const withDemoPassword = await accountsFile(fresh, demo.password, newTotpSecret());
    await expect(
      start(fresh, { demo: false, identity: () => ({ professionalAccounts: withDemoPassword }) }),
    ).rejects.toThrow(/demo passwords or TOTP secrets for pro:anna-jansen/);
    const withDemoTotp = await accountsFile(fresh, 'een-echt-wachtwoord', demo.totpSecret);
    await expect(
      start(fresh, { demo: false, identity: () => ({ professionalAccounts: withDemoTotp }) }),
    ).rejects.toThrow(/demo passwords or TOTP secrets for pro:anna-jansen/);
  });

  it('refuses an accounts file others may read', async () => {
    const fresh = await freshKeyRegion({ members: 2, quorum: 1 });
    const file = await accountsFile(fresh, 'een-echt-wachtwoord', newTotpSecret(), 0o644);
    await expect(
      start(fresh, { demo: false, identity: () => ({ professionalAccounts: file }) }),
    ).rejects.toThrow(/readable or writable by others \(mode 644\); run chmod 600/);
  });

  it('logs a professional in with her own password and TOTP, once per code', async () => {
    const fresh = await freshKeyRegion({ members: 2, quorum: 1 });
    const secret = newTotpSecret();
    const file = await accountsFile(fresh, 'een-echt-wachtwoord', secret);
    region = await start(fresh, { demo: false, identity: () => ({ professionalAccounts: file }) });
    const base = region.node('11110001').fhirBase.replace(/\/fhir$/, '');
    const login = (totp: string) =>
      fetch(`${base}/auth/professionals/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: ANNA, password: 'een-echt-wachtwoord', totp }),
      });
    const code = await generate({ secret });
    expect((await login(code)).status).toBe(200);
    expect((await login(code)).status).toBe(401); // the same code again: a replay
    expect(await (await fetch(`${base}/auth/mode`)).json()).toMatchObject({ passwordLogin: true });
  });
});

describe('a node in demo mode', () => {
  afterAll(async () => region?.close());
  it('says so to every page that asks', async () => {
    region = await start(await demoRegionOnFreePorts({ members: 2, quorum: 1 }));
    const base = region.node('11110001').fhirBase.replace(/\/fhir$/, '');
    expect(await (await fetch(`${base}/auth/mode`)).json()).toMatchObject({
      demo: true,
      banner: { nl: 'Demo — geen echte gegevens' },
      clientLogin: { id: 'demo-digid', configured: true },
      passwordLogin: true,
    });
  });
});
