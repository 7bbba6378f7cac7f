// The authorization server's signing keys: from configuration in production; the demo generates an
// RS256 key once and keeps it in the database so tokens stay verifiable across restarts.
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import type { Db } from '@ketenlog/storage';

const KEYS_SCHEMA = `CREATE TABLE IF NOT EXISTS oidc_signing_keys (kid TEXT PRIMARY KEY, jwk TEXT NOT NULL)`;

export async function loadOrCreateDemoSigningKeys(db: Db): Promise<JWK[]> {
  await db.exec(KEYS_SCHEMA);
  const rows = await db.all<{ jwk: string }>('SELECT jwk FROM oidc_signing_keys ORDER BY kid');
  if (rows.length > 0) return rows.map((row) => JSON.parse(row.jwk) as JWK);
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
  await db.run('INSERT INTO oidc_signing_keys (kid, jwk) VALUES (?, ?) ON CONFLICT (kid) DO NOTHING', [
    jwk.kid,
    JSON.stringify(jwk),
  ]);
  return loadOrCreateDemoSigningKeys(db);
}
