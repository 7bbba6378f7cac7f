// The GF localisation interface over real HTTP, against the NVI stand-in (with its PRS) as its own
// process: register, query, delete, the golden cases from nuts-knooppunt's NVI test data, and
// malformed input answered with a 4xx OperationOutcome.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, List, OperationOutcome } from '@medplum/fhirtypes';
import {
  DATA_CATEGORY_SYSTEM,
  localizationList,
  NVI_IDENTIFIER_SYSTEM,
  NVI_SCOPE,
  NviClient,
  OAUTH_CLIENT_SYSTEM,
  PrsClient,
} from '../index.ts';
import { startStandin, type RunningStandin } from '../testing/standin-process.ts';

const SCRIPT = fileURLToPath(new URL('../../standins/nvi.ts', import.meta.url));
const NVI_URA = '90000901';
const CLIENTS = {
  'token-wieg': { ura: '11110001', clientId: 'epd-wieg' },
  'token-maasland': { ura: '11110003', clientId: 'epd-maasland' },
  'token-knooppunt': { ura: '11111111', clientId: 'ehr-client-org2' },
};
const MARIA = '999911120';
const JAN = '999911132';

let nvi: RunningStandin;
const prs = (token: string) => new PrsClient({ url: `${nvi.url}/prs`, token: async () => token });
const client = (token: keyof typeof CLIENTS) =>
  new NviClient({
    url: `${nvi.url}/fhir`,
    ura: NVI_URA,
    custodian: CLIENTS[token].ura,
    clientId: CLIENTS[token].clientId,
    prs: prs(token),
    token: async () => token,
  });
const call = (path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`${nvi.url}/fhir${path}`, {
    ...init,
    headers: {
      ...(init.body ? { 'content-type': 'application/fhir+json' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
  });
const subjectFor = (bsn: string, token = 'token-wieg', ura = NVI_URA) =>
  prs(token).identifierFor(bsn, { organisation: `ura:${ura}`, scope: NVI_SCOPE });

beforeAll(async () => {
  nvi = await startStandin(SCRIPT, ['--ura', NVI_URA], { NVI_STANDIN_CLIENTS: JSON.stringify(CLIENTS) });
}, 30_000);
afterAll(() => nvi?.stop());

describe('the NVI stand-in and the localisation client', () => {
  it('finds every organisation that registered data about her, and only her', async () => {
    expect(
      await client('token-wieg').register([{ bsn: MARIA, categories: ['Condition', 'MedicationRequest'] }]),
    ).toBe(2);
    await client('token-maasland').register([
      { bsn: MARIA, categories: ['ObservationLaboratory'] },
      { bsn: JAN, categories: ['Imaging'] },
    ]);
    // Registering again is harmless: the NVI keeps one record.
    await client('token-wieg').register([{ bsn: MARIA, categories: ['Condition'] }]);
    expect(await client('token-maasland').holders(MARIA)).toEqual([
      { ura: '11110001', categories: ['Condition', 'MedicationRequest'] },
      { ura: '11110003', categories: ['ObservationLaboratory'] },
    ]);
    expect(await client('token-wieg').holders(MARIA, ['ObservationLaboratory'])).toEqual([
      { ura: '11110003', categories: ['ObservationLaboratory'] },
    ]);
    expect(await client('token-wieg').holders('999911144')).toEqual([]);
  });

  it('answers without the subject, and a source search shows a system its own records only', async () => {
    const subject = await subjectFor(MARIA);
    const response = await call(
      `/List?subject:identifier=${encodeURIComponent(`${NVI_IDENTIFIER_SYSTEM}|${subject}`)}`,
      {
        token: 'token-wieg',
      },
    );
    expect(response.status).toBe(200);
    const bundle = (await response.json()) as Bundle<List>;
    expect(bundle.entry!.length).toBeGreaterThan(0);
    for (const entry of bundle.entry!) {
      expect(entry.resource!.subject).toBeUndefined();
      expect(entry.resource!.emptyReason!.coding![0]!.code).toBe('withheld');
      expect(JSON.stringify(entry.resource)).not.toMatch(/date|period/i);
    }
    const own = await call(
      `/List?source:identifier=${encodeURIComponent(`${OAUTH_CLIENT_SYSTEM}|epd-maasland`)}`,
      {
        token: 'token-wieg',
      },
    );
    expect(((await own.json()) as Bundle).entry ?? []).toEqual([]);
  });

  it("lets a custodian delete its own records, not another one's", async () => {
    const created = await call('/List', {
      method: 'POST',
      token: 'token-wieg',
      body: JSON.stringify(
        localizationList({
          custodian: '11110001',
          subject: await subjectFor(JAN),
          category: 'Procedure',
          source: 'epd-wieg',
        }),
      ),
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as List).id!;
    expect((await call(`/List/${id}`, { method: 'DELETE', token: 'token-maasland' })).status).toBe(404);
    expect((await call(`/List/${id}`, { token: 'token-maasland' })).status).toBe(200);
    expect((await call(`/List/${id}`, { method: 'DELETE', token: 'token-wieg' })).status).toBe(204);
    expect((await call(`/List/${id}`, { token: 'token-wieg' })).status).toBe(404);
  });

  // After nuts-knooppunt component/nvi/testdata: list-resource-tokenized.json (a tokenized List
  // for custodian 11111111) and bundle-transaction.json (a transaction as an EHR hands it to the
  // knooppunt, still with the BSN, which the knooppunt tokenizes before the NVI sees it).
  it("golden: the knooppunt's tokenized List is accepted from its custodian only, and never a BSN", async () => {
    const tokenized = {
      resourceType: 'List',
      id: 'list-001',
      extension: [
        {
          url: 'http://minvws.github.io/generiekefuncties-docs/StructureDefinition/nl-gf-localization-custodian',
          valueReference: {
            identifier: { system: 'http://fhir.nl/fhir/NamingSystem/ura', value: '11111111' },
          },
        },
      ],
      subject: {
        identifier: { system: NVI_IDENTIFIER_SYSTEM, value: await subjectFor(MARIA, 'token-knooppunt') },
      },
      status: 'current',
      mode: 'working',
      code: {
        coding: [{ system: DATA_CATEGORY_SYSTEM, code: 'MedicationRequest', display: 'Medication Request' }],
      },
    };
    const post = (token: string) => call('/List', { method: 'POST', token, body: JSON.stringify(tokenized) });
    const refused = await post('token-wieg');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as OperationOutcome).resourceType).toBe('OperationOutcome');
    expect((await post('token-knooppunt')).status).toBe(201);

    const withBsn = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          request: { method: 'POST', url: 'List' },
          resource: {
            ...tokenized,
            id: undefined,
            subject: { identifier: { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '123456789' } },
            emptyReason: {
              coding: [
                { code: 'withheld', system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason' },
              ],
            },
          },
        },
      ],
    };
    const bsn = await call('', { method: 'POST', token: 'token-knooppunt', body: JSON.stringify(withBsn) });
    expect(bsn.status).toBe(422);
    expect(JSON.stringify(await bsn.json())).toMatch(/never a BSN/);
  });

  it('answers malformed and unauthenticated requests with a 4xx OperationOutcome', async () => {
    const subject = await subjectFor(MARIA);
    const cases: [string, RequestInit & { token?: string }, number][] = [
      ['/List?subject:identifier=x', {}, 401],
      ['/List?subject:identifier=x', { token: 'forged' }, 401],
      ['/List', { token: 'token-wieg' }, 400],
      ['/List?_count=5&subject:identifier=x', { token: 'token-wieg' }, 400],
      [`/List?subject:identifier=${NVI_IDENTIFIER_SYSTEM}|garbage`, { token: 'token-wieg' }, 400],
      [
        `/List?subject:identifier=http://fhir.nl/fhir/NamingSystem/bsn|${MARIA}`,
        { token: 'token-wieg' },
        400,
      ],
      [
        `/List?subject:identifier=${NVI_IDENTIFIER_SYSTEM}|${subject}&code=Nonsense`,
        { token: 'token-wieg' },
        400,
      ],
      ['/List', { method: 'POST', token: 'token-wieg', body: '{not json' }, 400],
      [
        '/List',
        { method: 'POST', token: 'token-wieg', body: JSON.stringify({ resourceType: 'Patient' }) },
        400,
      ],
      [
        '/List',
        {
          method: 'POST',
          token: 'token-wieg',
          body: JSON.stringify({
            ...localizationList({
              custodian: '11110001',
              subject,
              category: 'Condition',
              source: 'epd-wieg',
            }),
            date: '2026-12-07',
          }),
        },
        422,
      ],
      [
        '',
        {
          method: 'POST',
          token: 'token-wieg',
          body: JSON.stringify({ resourceType: 'Bundle', type: 'batch' }),
        },
        400,
      ],
      ['/List/not-an-id', { token: 'token-wieg' }, 404],
    ];
    for (const [path, init, status] of cases) {
      const response = await call(path, init);
      expect([path, response.status]).toEqual([path, status]);
      expect(((await response.json()) as OperationOutcome).resourceType).toBe('OperationOutcome');
    }
    const prsRefusal = await fetch(`${nvi.url}/prs/evaluate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer token-wieg' },
      body: JSON.stringify({
        blinded_input: 'AAAA',
        recipient_organization: 'ura:90000901',
        recipient_scope: NVI_SCOPE,
      }),
    });
    expect(prsRefusal.status).toBe(400);
    expect(((await prsRefusal.json()) as OperationOutcome).resourceType).toBe('OperationOutcome');
  });
});
