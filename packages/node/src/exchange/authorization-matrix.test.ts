// The authorisation matrix, table-driven over real HTTP: requesting roles × consent states × routes,
// every category of the answer checked against an oracle written here (not the PDP), in one region
// set up once. For every request: nothing the oracle forbids is disclosed, everything it allows
// is, Bundle.total is left out, and the holder appends exactly one `access` statement per category
// it decided — no more, no fewer — whose outcome matches the oracle.
//
// Five clients at the kraamzorg, one per consent state towards the hospital: none; granted
// (vital-signs to the hospital); objected (a grant to every hospital, and an objection to this
// hospital for vital-signs, which wins as the more specific); revoked (the grant withdrawn); expired
// (a paper consent whose period has ended). Requesters: a kraamverzorgende at the holder itself
// (treatment), a medical specialist at the hospital (treatment), a claims assessor at the insurer
// (billing, outside care).
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { issueNodeToken } from '@ketenlog/auth';
import { BSN_SYSTEM, isValidBsn } from '@ketenlog/fhir';
import { parseEntry } from '@ketenlog/logbook';
import { accessOutcomeOf, assistedConsent, categoryForConsent, SOURCE_EXTENSION } from '@ketenlog/exchange';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningRegion } from '../region/run-region.ts';
import type { RunningNode } from '../server.ts';
import { systemAuthorization } from '../region/demo-system.ts';
import {
  baseOf,
  clientAt,
  clientRecords,
  indexed,
  loginProfessional,
  put,
  seed,
  startExchangeRegion,
} from './testing.ts';

const [KRAAMZORG, ZIEKENHUIS, VERZEKERAAR] = ['11110001', '11110003', '11110004'];
const STATES = ['none', 'granted', 'objected', 'revoked', 'expired'] as const;
type State = (typeof STATES)[number];

interface Requester {
  readonly name: string;
  readonly ura: string;
  readonly professional: string;
  readonly role: string;
  readonly purpose: string;
}
const REQUESTERS: readonly Requester[] = [
  {
    name: 'kraamverzorgende at the holder',
    ura: KRAAMZORG,
    professional: 'pro:anna-jansen',
    role: 'kraamverzorgende',
    purpose: 'treatment',
  },
  {
    name: 'medical specialist at the hospital',
    ura: ZIEKENHUIS,
    professional: 'pro:carla-bakker',
    role: 'medisch-specialist',
    purpose: 'treatment',
  },
  {
    name: 'claims assessor at the insurer',
    ura: VERZEKERAAR,
    professional: 'pro:dirk-smit',
    role: 'declaratiebeoordelaar',
    purpose: 'billing',
  },
];

/** The oracle: may this requester see this category of a client in this consent state? */
function allowed(requester: Requester, state: State, category: string): boolean {
  if (requester.ura === KRAAMZORG) return true; // treatment inside the holding organisation
  if (requester.ura === VERZEKERAAR) return false; // outside care, nothing granted to it
  if (state === 'granted') return category === 'vital-signs';
  if (state === 'objected') return category !== 'vital-signs';
  return false;
}

const ROUTES = {
  read: (p) => `/fhir/Observation/${p}-vital-signs-0`,
  'read Patient': (p) => `/fhir/Patient/${p}`,
  search: (p) => `/fhir/Observation?patient=${p}`,
  _include: (p) => `/fhir/MedicationStatement?patient=${p}&_include=MedicationStatement:subject`,
  _revinclude: (p) =>
    `/fhir/Patient?_id=${p}&_revinclude=Observation:subject&_revinclude=MedicationStatement:subject`,
  history: (p) => `/fhir/Observation/${p}-vital-signs-0/_history`,
  $everything: (p) => `/fhir/Patient/${p}/$everything`,
} satisfies Record<string, (patient: string) => string>;

let region: RunningRegion;
let kraamzorg: RunningNode;
const clients = new Map<State, { patient: string; bsn: string; pseudonym: string }>();
const sessions = new Map<string, string>();

/** Five valid BSNs, the first after a fixed start (11-proef). */
function bsns(count: number): string[] {
  const out: string[] = [];
  for (let n = 999_920_000; out.length < count; n++) if (isValidBsn(String(n))) out.push(String(n));
  return out;
}

beforeAll(async () => {
  region = await startExchangeRegion([KRAAMZORG, ZIEKENHUIS, VERZEKERAAR]);
  kraamzorg = region.node(KRAAMZORG);
  const numbers = bsns(STATES.length);
  for (const [i, state] of STATES.entries()) {
    const patient = `matrix-${state}`;
    const bsn = numbers[i]!; // bsns(STATES.length) gives one per state
    await seed(kraamzorg, [
      ...clientRecords(patient, bsn, 'vital-signs', 2),
      ...clientRecords(patient, bsn, 'medication', 1).slice(1),
    ]);
    const pseudonym = await kraamzorg.exchange!.pseudonyms!.pseudonymOf(bsn);
    clients.set(state, { patient, bsn, pseudonym });
  }
  const draftsOf = async (cookie: string, body: object) => {
    const response = await fetch(`${baseOf(kraamzorg)}/exchange/consent-drafts`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return ((await response.json()) as { drafts: { kind: string; body: object }[] }).drafts;
  };
  const hospital = { kind: 'organisation', ura: ZIEKENHUIS };
  const vitals = { categories: ['vital-signs'], purpose: 'treatment' };
  for (const state of ['granted', 'objected', 'revoked'] as const) {
    const client = await clientAt(kraamzorg, clients.get(state)!.pseudonym);
    if (state === 'objected') {
      await client.sign(
        await draftsOf(client.cookie, { decision: 'grant', actor: { kind: 'type', type: 'ziekenhuis' } }),
      );
      await client.sign(await draftsOf(client.cookie, { decision: 'objection', actor: hospital, ...vitals }));
    } else {
      await client.sign(await draftsOf(client.cookie, { decision: 'grant', actor: hospital, ...vitals }));
    }
    if (state === 'revoked') {
      const consents = (await (
        await fetch(`${baseOf(kraamzorg)}/exchange/consents`, { headers: { cookie: client.cookie } })
      ).json()) as Bundle;
      for (const entry of consents.entry!)
        await client.sign(await draftsOf(client.cookie, { withdraw: entry.resource!.id }));
    }
  }
  // Expired: a paper consent for every category, to the hospital, that ended mid-2026.
  await put(kraamzorg, {
    ...assistedConsent({
      patient: 'matrix-expired',
      decision: 'grant',
      grantee: ZIEKENHUIS,
      paperReference: 'ARCH-2026-0001',
      recordedBy: { professional: 'pro:anna-jansen', organisation: KRAAMZORG },
      given: '2026-01-01T00:00:00Z',
      until: '2026-06-30T00:00:00Z',
    }),
    id: 'matrix-expired-paper',
  });
  for (const requester of REQUESTERS) {
    await indexed(region.node(requester.ura), clients.get('none')!.pseudonym, [KRAAMZORG]);
    sessions.set(requester.ura, await loginProfessional(region.node(requester.ura), requester.professional));
  }
}, 120_000);
afterAll(() => region?.close());

/** The `access` statements the holder appended while `run` ran (they are durable before the answer). */
async function accessesDuring(run: () => Promise<void>, subject: string) {
  const { sequencer } = kraamzorg.logbook!;
  const from = sequencer.size;
  await run();
  const entries = await sequencer.store.readEntries(from, sequencer.size);
  return entries.flatMap((e) => {
    const parsed = parseEntry(e.entry);
    if (!parsed.ok) throw new Error(parsed.problem.text);
    const { statement } = parsed.value;
    return statement.kind === 'access' && statement.subject === subject
      ? [statement.body as { category: string; reason?: string; breakTheGlass?: boolean }]
      : [];
  });
}

const resourcesOf = (body: Resource): Resource[] =>
  body.resourceType === 'Bundle'
    ? ((body as Bundle).entry ?? []).flatMap((e) =>
        e.resource && e.resource.resourceType !== 'OperationOutcome' ? [e.resource] : [],
      )
    : [body];
const key = (r: Resource) => `${r.resourceType}/${r.id}`;

/** Checks one answer against the oracle and the holder's access statements. */
function judge(
  requester: Requester,
  state: State,
  unfiltered: readonly Resource[],
  disclosed: readonly Resource[],
  accesses: readonly { category: string; reason?: string; breakTheGlass?: boolean }[],
) {
  const categories = new Set(unfiltered.map(categoryForConsent));
  const unauthorised = disclosed.filter((r) => !allowed(requester, state, categoryForConsent(r)));
  expect(unauthorised.map(key), 'unauthorised disclosure').toEqual([]);
  const expected = unfiltered.filter((r) => allowed(requester, state, categoryForConsent(r)));
  expect(disclosed.map(key).sort(), 'allowed but withheld').toEqual(expected.map(key).sort());
  expect(accesses.map((a) => a.category).sort(), 'one access record per decision').toEqual(
    [...categories].sort(),
  );
  for (const access of accesses)
    expect(accessOutcomeOf(access) === 'allowed', `outcome for ${access.category}`).toBe(
      allowed(requester, state, access.category),
    );
}

describe('the authorisation matrix: zero unauthorised disclosures, one audit record per decision', () => {
  for (const requester of REQUESTERS)
    for (const state of STATES)
      it(`${requester.name}, consent ${state}: every route`, async () => {
        const { patient, pseudonym, bsn } = clients.get(state)!;
        const { keyId, secretKey } = region.node(requester.ura).membership!.statementKey;
        for (const [route, path] of Object.entries(ROUTES)) {
          const url = `${baseOf(kraamzorg)}${path(patient)}`;
          const staff = (await (
            await fetch(url, { headers: { authorization: await systemAuthorization(kraamzorg) } })
          ).json()) as Resource;
          const unfiltered = resourcesOf(staff).filter((r) => r.resourceType !== 'AuditEvent');
          expect(unfiltered.length, route).toBeGreaterThan(0);
          let status = 0;
          let answer: Resource | undefined;
          const accesses = await accessesDuring(async () => {
            const token = await issueNodeToken(
              { keyId, secretKey },
              {
                organisation: requester.ura,
                audience: baseOf(kraamzorg),
                professional: requester.professional,
                role: requester.role,
                purpose: requester.purpose,
              },
            );
            const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
            status = response.status;
            answer = (await response.json()) as Resource;
          }, pseudonym);
          const disclosed = status === 200 ? resourcesOf(answer!) : [];
          if (status !== 200) expect(answer, route).toMatchObject({ resourceType: 'OperationOutcome' });
          if (answer?.resourceType === 'Bundle') expect((answer as Bundle).total, route).toBeUndefined();
          judge(requester, state, unfiltered, disclosed, accesses);
        }

        // The federated overview at the requester's own node, by BSN, from her session.
        const staff = (await (
          await fetch(`${baseOf(kraamzorg)}${ROUTES.$everything(patient)}`, {
            headers: { authorization: await systemAuthorization(kraamzorg) },
          })
        ).json()) as Bundle;
        let overview: Bundle | undefined;
        const accesses = await accessesDuring(async () => {
          const response = await fetch(
            `${baseOf(region.node(requester.ura))}/exchange/overview?purpose=${requester.purpose}&identifier=${encodeURIComponent(`${BSN_SYSTEM}|${bsn}`)}`,
            { headers: { cookie: sessions.get(requester.ura)! } },
          );
          expect(response.status).toBe(200);
          overview = (await response.json()) as Bundle;
        }, pseudonym);
        const fromHolder = resourcesOf(overview!).filter(
          (r) =>
            r.meta?.extension?.find((x) => x.url === SOURCE_EXTENSION)?.valueIdentifier?.value === KRAAMZORG,
        );
        judge(requester, state, resourcesOf(staff), fromHolder, accesses);
      });
});
