// Node tokens over real HTTP: the hospital's node calls the maternity-care node's protected route.
import Fastify, { type FastifyInstance } from 'fastify';
import { entryBytes, signStatement } from '@ketenlog/logbook';
import { RegionPolicy } from '@ketenlog/region';
import { keyBody, newTestKey, testRegion } from '@ketenlog/region/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueNodeToken } from './node-token.ts';
import { NodeTokenVerifier } from './node-token.ts';
import { requireNodeToken } from './routes.ts';
import { MemoryEphemeralStore } from '@ketenlog/storage';

const region = testRegion();
const policy = new RegionPolicy(region.config);
let app: FastifyInstance;
let base: string;
let clock = Date.now();

beforeAll(async () => {
  app = Fastify();
  const verifier = new NodeTokenVerifier({
    audience: 'https://kraamzorg.example',
    state: () => policy.state,
    replays: new MemoryEphemeralStore(),
    now: () => clock,
  });
  app.get('/fhir/Patient', { preHandler: requireNodeToken(verifier) }, async (request) => ({
    caller: request.nodeCaller,
  }));
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => app.close());

const hospital = region.ziekenhuis;
const token = (
  over: Partial<Parameters<typeof issueNodeToken>[1]> = {},
  key = { keyId: hospital.key.keyId, secretKey: hospital.key.secret },
) =>
  issueNodeToken(
    key,
    {
      organisation: hospital.organisation.ura,
      audience: 'https://kraamzorg.example',
      professional: 'pro:carla-bakker',
      role: 'medisch-specialist',
      purpose: 'treatment',
      ...over,
    },
    () => clock,
  );
const call = (bearer?: string) =>
  fetch(`${base}/fhir/Patient`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

describe('node-to-node tokens', () => {
  it('lets a member node call with a fresh token, naming the organisation, professional, role and purpose', async () => {
    const response = await call(await token());
    expect(response.status).toBe(200);
    const { caller } = (await response.json()) as {
      caller: { organisation: { ura: string }; professional: string; purpose: string };
    };
    expect(caller.organisation.ura).toBe(hospital.organisation.ura);
    expect(caller).toMatchObject({
      professional: 'pro:carla-bakker',
      role: 'medisch-specialist',
      purpose: 'treatment',
    });
  });

  it('carries a break-the-glass reason as a signed claim; a reason that is not text is refused', async () => {
    const response = await call(await token({ breakTheGlass: 'bewusteloos op de SEH' }));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { caller: object }).caller).toMatchObject({
      breakTheGlass: 'bewusteloos op de SEH',
    });
    const plain = (await (await call(await token())).json()) as { caller: object };
    expect(plain.caller).not.toHaveProperty('breakTheGlass');
    const odd = await call(await token({ breakTheGlass: 42 as unknown as string }));
    expect(odd.status).toBe(401);
  });

  it('refuses a missing, malformed, replayed, expired, wrongly addressed or foreign token with 401', async () => {
    const refused = async (bearer: string | undefined, why: RegExp) => {
      const response = await call(bearer);
      expect(response.status).toBe(401);
      const body = (await response.json()) as { resourceType: string; issue: { diagnostics: string }[] };
      expect(body.resourceType).toBe('OperationOutcome');
      expect(body.issue[0]?.diagnostics).toMatch(why);
    };
    await refused(undefined, /node token is required/);
    await refused('not-a-jwt', /not a JWT/);
    const once = await token();
    expect((await call(once)).status).toBe(200);
    await refused(once, /replay/);
    const old = await token({ ttlSeconds: 60 });
    clock += 5 * 60_000;
    await refused(old, /exp|expired/);
    clock = Date.now();
    await refused(await token({ audience: 'https://elsewhere.example' }), /aud/);
    // Signed by a key the region does not know.
    const stranger = { keyId: 'ffffffffffffffffffffffffffffffff', secretKey: new Uint8Array(32).fill(9) };
    await refused(await token({}, stranger), /not an active node key/);
    // The hospital's key, but claiming to be the insurer.
    await refused(await token({ organisation: region.verzekeraar.organisation.ura }), /iss/);
  });

  it("refuses a token signed with a professional's own key: only an organisation's node key speaks for a node", async () => {
    const carer = newTestKey();
    const kraamzorg = region.kraamzorg;
    const binding = signStatement(
      {
        kind: 'key',
        v: 1,
        author: kraamzorg.key.keyId,
        iat: Math.floor(Date.now() / 1000),
        body: keyBody(carer, 'pro:anna-jansen', 'kraamverzorgende', { organisation: kraamzorg.ref }),
      },
      kraamzorg.key.secret,
    );
    policy.accept(kraamzorg.log, 0, entryBytes(binding));
    expect(policy.state.keys.bindings.get(carer.keyId)?.role).toBe('kraamverzorgende');
    const forged = await token(
      {
        organisation: kraamzorg.organisation.ura,
        professional: 'pro:anna-jansen',
        role: 'medisch-specialist',
      },
      { keyId: carer.keyId, secretKey: carer.secret },
    );
    const response = await call(forged);
    expect(response.status).toBe(401);
    expect(JSON.stringify(await response.json())).toMatch(/not an active node key/);
  });

  it('refuses a token issued in the future, valid too long from now, or naming a role the region does not know', async () => {
    const refusedFor = async (bearer: string, why: RegExp) => {
      const response = await call(bearer);
      expect(response.status).toBe(401);
      expect(JSON.stringify(await response.json())).toMatch(why);
    };
    clock = Date.now() + 10 * 60_000;
    const future = await token({ ttlSeconds: 300 });
    clock = Date.now();
    await refusedFor(future, /future|iat/);
    await refusedFor(await token({ role: 'beheerder-van-alles' }), /role/);
    await refusedFor(await token({ role: 'zorgadministratie' }), /role/);
  });

  it('honours key revocation on the logbook', async () => {
    const revoke = signStatement(
      {
        kind: 'key',
        v: 1,
        author: hospital.key.keyId,
        iat: Math.floor(Date.now() / 1000),
        body: {
          action: 'revoke',
          keyId: hospital.key.keyId,
          alg: 'Ed25519',
          holder: `ura:${hospital.organisation.ura}`,
        },
      },
      hospital.key.secret,
    );
    policy.accept(hospital.log, 0, entryBytes(revoke));
    const response = await call(await token());
    expect(response.status).toBe(401);
  });
});
