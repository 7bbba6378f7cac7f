// Pseudonyms over real HTTP: the region's pseudonym service (behind node tokens) and two member
// organisations deriving the same pseudonym for the same client without the service seeing a BSN.
import Fastify, { type FastifyInstance } from 'fastify';
import { MemoryEphemeralStore, openSqlite, type Db } from '@ketenlog/storage';
import { issueNodeToken, NodeTokenVerifier, requireNodeToken } from '@ketenlog/auth';
import { RegionPolicy } from '@ketenlog/region';
import { testRegion, type TestMember } from '@ketenlog/region/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PseudonymClient } from './pseudonym-client.ts';
import { SubjectSalts } from './subject-salts.ts';
import { pseudonymServiceRoutes } from './pseudonym-service.ts';
import { blindInput, PseudonymError, pseudonymInput, pseudonymServiceKey } from './pseudonym.ts';

const region = testRegion();
const policy = new RegionPolicy(region.config);
const SERVICE = 'https://rso.example';
let app: FastifyInstance;
let db: Db;
let url: string;
const seen: string[] = [];

beforeAll(async () => {
  app = Fastify();
  // Everything the service receives, to check that no BSN is among it.
  app.addHook('preValidation', async (request) => {
    seen.push(JSON.stringify(request.body ?? null), request.url);
  });
  const verifier = new NodeTokenVerifier({
    audience: SERVICE,
    state: () => policy.state,
    replays: new MemoryEphemeralStore(),
  });
  await app.register(pseudonymServiceRoutes, {
    prefix: '/pseudonyms',
    secretKey: pseudonymServiceKey(new Uint8Array(32).fill(7)),
    authenticate: requireNodeToken(verifier),
    subjects: await SubjectSalts.open((db = await openSqlite(':memory:'))),
    // Any member here; the node checks that the caller bound the client's key (portability.ts).
    mayErase: (request) => request.nodeCaller?.role === 'client',
  });
  url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/pseudonyms/evaluate`;
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const clientOf = (member: TestMember) =>
  new PseudonymClient({
    url,
    region: region.config.name,
    fetch,
    token: () =>
      issueNodeToken(
        { keyId: member.key.keyId, secretKey: member.key.secret },
        { organisation: member.organisation.ura, audience: SERVICE, role: 'node', purpose: 'treatment' },
      ),
  });

describe('region pseudonyms', () => {
  it('gives every organisation the same pseudonym for the same BSN; the service never sees the BSN', async () => {
    const [atKraamzorg, atHospital, other] = await Promise.all([
      clientOf(region.kraamzorg).pseudonymOf('999911120'),
      clientOf(region.ziekenhuis).pseudonymOf('999911120'),
      clientOf(region.ziekenhuis).pseudonymOf('999912343'),
    ]);
    expect(atKraamzorg).toBe(atHospital);
    expect(atKraamzorg).toMatch(/^p[A-Za-z0-9_-]{32}$/);
    expect(other).not.toBe(atKraamzorg);
    expect(seen.join('')).not.toContain('999911120');
  });

  it('refuses an invalid BSN before anything leaves the organisation', async () => {
    const before = seen.length;
    await expect(clientOf(region.kraamzorg).pseudonymOf('123456789')).rejects.toBeInstanceOf(PseudonymError);
    expect(seen.length).toBe(before);
  });

  it('answers only member nodes, and refuses a malformed element with 400', async () => {
    const blinded = blindInput(pseudonymInput('999911120', region.config.name)).blinded;
    const anonymous = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blinded }),
    });
    expect(anonymous.status).toBe(401);
    const token = await issueNodeToken(
      { keyId: region.kraamzorg.key.keyId, secretKey: region.kraamzorg.key.secret },
      {
        organisation: region.kraamzorg.organisation.ura,
        audience: SERVICE,
        role: 'node',
        purpose: 'treatment',
      },
    );
    const malformed = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ blinded: 'AAAA' }),
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
  });

  it('names her on the logbook by a salted subject; erasing the salt unlinks the old subject for good', async () => {
    const client = clientOf(region.kraamzorg);
    const subject = await client.pseudonymOf('999911120');
    expect(await clientOf(region.ziekenhuis).pseudonymOf('999911120')).toBe(subject);
    const erase = async (role: string) => {
      const token = await issueNodeToken(
        { keyId: region.kraamzorg.key.keyId, secretKey: region.kraamzorg.key.secret },
        { organisation: region.kraamzorg.organisation.ura, audience: SERVICE, role, purpose: 'erasure' },
      );
      return fetch(new URL('erasure', url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ subject }),
      });
    };
    expect((await erase('node')).status).toBe(403);
    expect(await (await erase('client')).json()).toEqual({ erased: true });
    const again = await client.pseudonymOf('999911120');
    expect(again).toMatch(/^p[A-Za-z0-9_-]{32}$/);
    expect(again).not.toBe(subject);
    expect(JSON.stringify(await db.all('SELECT * FROM exchange_subject_salts'))).not.toContain(subject);
  });
});
