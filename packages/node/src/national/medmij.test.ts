// A PGO fetching Maria's BgZ from her maternity-care node as a MedMij DVZA serves it, over real
// HTTP: she logs in (Demo-DigiD, then her passkey) and lets the PGO in; the PGO exchanges its code
// once, with a MedMij-Request-ID, and asks the BgZ gegevensdienst. Each refusal is tested.
import { randomUUID } from 'node:crypto';
import type { Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSN_SYSTEM } from '@ketenlog/fhir';
import { MARIA_BSN } from '../demo/population.ts';
import type { RunningRegion } from '../region/run-region.ts';
import { authorizeDemoPgo, demoPgoTokenRequest, enrolAndLogIn } from '../auth/testing.ts';
import { put, startExchangeRegion } from '../exchange/testing.ts';
import { MEDMIJ_FHIR_PATH } from './medmij.ts';

const KRAAMZORG = '11110001';
const LOINC = 'http://loinc.org';
let region: RunningRegion;
let base: string;
let accessToken: string;

const bloodPressure = (id: string, patient: string, at: string) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: LOINC, code: '85354-9' }] },
  subject: { reference: `Patient/${patient}` },
  effectiveDateTime: at,
  valueQuantity: { value: 120, unit: 'mm[Hg]' },
});

const token = (code: string, verifier: string, requestId?: string): Promise<Response> =>
  demoPgoTokenRequest(base, code, verifier, requestId ? { 'MedMij-Request-ID': requestId } : {});

const gegevensdienst = (path: string, headers: Record<string, string>) =>
  fetch(`${base}${MEDMIJ_FHIR_PATH}/${path}`, { headers });
const asPgo = (requestId: string = randomUUID()) => ({
  authorization: `Bearer ${accessToken}`,
  'MedMij-Request-ID': requestId,
});

beforeAll(async () => {
  region = await startExchangeRegion([KRAAMZORG], {
    quorum: 1,
    national: (o) => (o.ura === KRAAMZORG ? { medmij: {} } : undefined),
  });
  const node = region.node(KRAAMZORG);
  base = node.membership!.organisation.node.baseUrl.replace(/\/$/, '');
  for (const resource of [
    { resourceType: 'Patient', id: 'maria', identifier: [{ system: BSN_SYSTEM, value: MARIA_BSN }] },
    { resourceType: 'Patient', id: 'anna', identifier: [{ system: BSN_SYSTEM, value: '999990020' }] },
    {
      resourceType: 'Condition',
      id: 'c-maria',
      subject: { reference: 'Patient/maria' },
      code: { text: 'Anemie' },
    },
    {
      resourceType: 'Condition',
      id: 'c-anna',
      subject: { reference: 'Patient/anna' },
      code: { text: 'Astma' },
    },
    bloodPressure('bp-old', 'maria', '2026-10-01T08:00:00Z'),
    bloodPressure('bp-new', 'maria', '2026-11-01T08:00:00Z'),
  ])
    await put(node, resource);
}, 120_000);
afterAll(async () => region?.close());

describe('the MedMij authorisation flow', () => {
  it('gives the PGO a token for her code once, returning the MedMij-Request-ID', async () => {
    const { session } = await enrolAndLogIn(base);
    const { code, verifier } = await authorizeDemoPgo(base, session);
    expect(code).toBeDefined();
    const requestId = randomUUID();
    const granted = await token(code!, verifier, requestId);
    expect(granted.status).toBe(200);
    expect(granted.headers.get('medmij-request-id')).toBe(requestId);
    const first = ((await granted.json()) as { access_token: string }).access_token;
    // The same code a second time: refused, and the token it gave is revoked (a stolen code).
    const again = await token(code!, verifier, randomUUID());
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe('invalid_grant');
    const revoked = await gegevensdienst('Condition', {
      authorization: `Bearer ${first}`,
      'MedMij-Request-ID': randomUUID(),
    });
    expect(revoked.status).toBe(401);
    // A new authorisation: a new code, used once.
    const next = await authorizeDemoPgo(base, session);
    accessToken = (
      (await (await token(next.code!, next.verifier, randomUUID())).json()) as { access_token: string }
    ).access_token;
  });

  it('refuses a token request whose MedMij-Request-ID is no UUID', async () => {
    const refused = await token('whatever', 'whatever', 'request-1');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe('invalid_request');
  });
});

describe('the BgZ gegevensdienst', () => {
  it('answers a BgZ query with her records only, the request id returned', async () => {
    const requestId = randomUUID();
    const response = await gegevensdienst('Condition', asPgo(requestId));
    expect(response.status).toBe(200);
    expect(response.headers.get('medmij-request-id')).toBe(requestId);
    const bundle = (await response.json()) as Bundle;
    expect(bundle.entry?.map((e) => e.resource?.id)).toEqual(['c-maria']);
    expect(bundle.total).toBeUndefined();
  });

  it('answers $lastn with the newest measurement', async () => {
    const response = await gegevensdienst(`Observation/$lastn?code=${LOINC}|85354-9`, asPgo());
    expect(response.status).toBe(200);
    expect(((await response.json()) as Bundle).entry?.map((e) => e.resource?.id)).toEqual(['bp-new']);
  });

  it.each([
    ['no MedMij-Request-ID', 'Condition', () => ({ authorization: `Bearer ${accessToken}` }), 400],
    ['a MedMij-Request-ID that is no UUID', 'Condition', () => asPgo('42'), 400],
    ['no token', 'Condition', () => ({ 'MedMij-Request-ID': randomUUID() }), 401],
    ['a forged token', 'Condition', () => ({ ...asPgo(), authorization: 'Bearer forged' }), 401],
    ['a search that is no BgZ query', `Observation?code=${LOINC}|8867-4`, () => asPgo(), 403],
    ['another client named in the search', 'Condition?patient=anna', () => asPgo(), 403],
  ])('refuses %s with an OperationOutcome', async (_, path, headers, status) => {
    const response = await gegevensdienst(path, headers());
    expect(response.status).toBe(status);
    expect(((await response.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
  });
});
