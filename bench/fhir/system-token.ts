/**
 * bench/fhir/system-token: the benchmark's own organisation system (SMART Backend Services), so that
 * every benchmarked FHIR request carries a verified bearer token, as a real EHR's would.
 *
 *   node bench/fhir/system-token.ts keys <dir>        writes <dir>/system-key.json (private, 0600)
 *                                                    and <dir>/system-jwks.json (public, for `systems:`)
 *   node bench/fhir/system-token.ts token <dir> <node base URL>   prints an access token (10 min)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { backendServicesToken } from '@ketenlog/auth';

export const BENCH_SYSTEM_CLIENT_ID = 'bench-system';
export const BENCH_SYSTEM_SCOPE = 'system/*.cruds';

/** The key pair in `dir`, made on first use; returns the path of the public JWK set. */
export async function benchSystemKeys(dir: string): Promise<string> {
  const keyFile = join(dir, 'system-key.json');
  const jwksFile = join(dir, 'system-jwks.json');
  if (!existsSync(keyFile)) {
    const pair = await generateKeyPair('ES384', { extractable: true });
    const privateKey: JWK = {
      ...(await exportJWK(pair.privateKey)),
      alg: 'ES384',
      kid: BENCH_SYSTEM_CLIENT_ID,
    };
    const { d: _d, ...publicKey } = privateKey;
    mkdirSync(dir, { recursive: true });
    writeFileSync(keyFile, JSON.stringify(privateKey), { mode: 0o600 });
    writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...publicKey, use: 'sig' }] }));
  }
  return jwksFile;
}

/** A fresh access token for the benchmark system at a node (base URL without /fhir). */
export async function benchSystemToken(dir: string, nodeBase: string): Promise<string> {
  const privateKey = JSON.parse(readFileSync(join(dir, 'system-key.json'), 'utf8')) as JWK;
  const { accessToken } = await backendServicesToken({
    tokenUrl: `${nodeBase.replace(/\/$/, '')}/oidc/token`,
    clientId: BENCH_SYSTEM_CLIENT_ID,
    privateKey,
    scope: BENCH_SYSTEM_SCOPE,
  });
  return accessToken;
}

if (import.meta.main) {
  const [command, dir, base] = process.argv.slice(2);
  if (command === 'keys' && dir) console.log(await benchSystemKeys(dir));
  else if (command === 'token' && dir && base) console.log(await benchSystemToken(dir, base));
  else {
    console.error('usage: node bench/fhir/system-token.ts keys <dir> | token <dir> <node base URL>');
    process.exit(2);
  }
}
