// The localisation index as the demo's records are stored: categories after BgZ, one statement per
// (client, category) per holder, accepted by the region's own rules, without dates or content.
import { entryBytes, signStatement, type SignedStatement } from '@ketenlog/logbook';
import { fail, ok } from '@ketenlog/problem';
import { holdersOf, RegionPolicy } from '@ketenlog/region';
import { testRegion } from '@ketenlog/region/testing';
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { categoryOf, SELF_REPORTED } from './categories.ts';
import { IndexPublisher } from './index-publisher.ts';

const region = testRegion();
const hospital = region.ziekenhuis;
const PSEUDONYMS: Record<string, string> = {
  'client-1': 'pMaria-0000000000000001',
  'client-2': 'pSanne-0000000000000002',
};

const observation = (patient: string, category: string, tag = false): Resource => ({
  resourceType: 'Observation',
  status: 'final',
  code: { text: 'x' },
  subject: { reference: `Patient/${patient}` },
  category: [
    { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: category }] },
  ],
  ...(tag ? { meta: { tag: [SELF_REPORTED] } } : {}),
});

interface Faults {
  /** Pseudonym lookups that fail (the service down or timing out), in order of the calls. */
  lookups?: number;
  /** Appends that time out before reaching the log. */
  appendsLost?: number;
  /** Appends that reach the log but whose answer times out. */
  appendsLate?: number;
}

function publisher(policy: RegionPolicy, logged: SignedStatement[], faults: Faults = {}) {
  let index = 0;
  return new IndexPublisher({
    holder: hospital.organisation.ura,
    author: hospital.key.keyId,
    sign: (statement) => signStatement(statement, hospital.key.secret),
    pseudonymOf: async (patient) => {
      if (faults.lookups && faults.lookups-- > 0) throw new Error('pseudonym service: timeout');
      return PSEUDONYMS[patient];
    },
    holds: (pseudonym, category) =>
      holdersOf(policy.state.index, pseudonym).some(
        (h) => h.holder === `ura:${hospital.organisation.ura}` && h.categories.includes(category),
      ),
    append: async (envelope) => {
      if (faults.appendsLost && faults.appendsLost-- > 0) throw new Error('append: timeout');
      const bytes = entryBytes(envelope);
      const verdict = policy.check(hospital.log, index, bytes);
      if (!verdict.ok) return fail(422, 'business-rule', verdict.reason);
      policy.accept(hospital.log, index++, bytes);
      logged.push(envelope);
      if (faults.appendsLate && faults.appendsLate-- > 0) throw new Error('append: timeout');
      return ok(undefined);
    },
    delayMs: 10,
    retryMs: 20,
  });
}

const stated = (logged: readonly SignedStatement[]) =>
  logged.map((e) => `${e.statement.subject} ${String(e.statement.body.category)}`).sort();

async function* resources(list: readonly Resource[]) {
  yield* list;
}

describe('the localisation index', () => {
  it('maps resources to BgZ-style categories', () => {
    expect(categoryOf(observation('a', 'laboratory'))).toBe('laboratory');
    expect(categoryOf(observation('a', 'vital-signs'))).toBe('vital-signs');
    expect(categoryOf(observation('a', 'vital-signs', true))).toBe('self-measurements');
    expect(
      categoryOf({
        resourceType: 'Condition',
        subject: { reference: 'Patient/a' },
        code: { coding: [{ code: '77386006' }] },
      }),
    ).toBe('pregnancy');
    expect(
      categoryOf({
        resourceType: 'MedicationStatement',
        status: 'active',
        subject: { reference: 'Patient/a' },
      } as Resource),
    ).toBe('medication');
    expect(categoryOf({ resourceType: 'Organization' })).toBeUndefined();
  });

  it('states each (client, category) once per batch and never again once held; the region accepts them', async () => {
    const policy = new RegionPolicy(region.config);
    const logged: SignedStatement[] = [];
    const index = publisher(policy, logged);
    for (let i = 0; i < 3; i++) {
      index.written(observation('client-1', 'laboratory'));
      index.written(observation('client-2', 'laboratory'));
      index.written(observation('client-1', 'vital-signs'));
    }
    index.written({ resourceType: 'Observation', status: 'final', code: { text: 'x' } } as Resource); // about no one
    index.written(observation('client-9', 'laboratory')); // no BSN here: no pseudonym
    expect(await index.flush()).toBe(3);
    index.written(observation('client-1', 'laboratory'));
    expect(await index.flush()).toBe(0);
    expect(logged.map((e) => [e.statement.subject, e.statement.body.category])).toEqual([
      ['pMaria-0000000000000001', 'laboratory'],
      ['pMaria-0000000000000001', 'vital-signs'],
      ['pSanne-0000000000000002', 'laboratory'],
    ]);
    // No dates and no content beyond holder and category.
    for (const envelope of logged)
      expect(Object.keys(envelope.statement.body).sort()).toEqual(['category', 'holder']);
    expect(holdersOf(policy.state.index, 'pMaria-0000000000000001')).toHaveLength(1);
  });

  it('publishes by itself after the batch window', async () => {
    const logged: SignedStatement[] = [];
    const index = publisher(new RegionPolicy(region.config), logged);
    index.written(observation('client-2', 'vital-signs'));
    await expect.poll(() => logged.length, { timeout: 2000 }).toBe(1);
    index.close();
  });

  it('keeps a batch whose pseudonym lookup fails, and states it on the retry', async () => {
    const logged: SignedStatement[] = [];
    const index = publisher(new RegionPolicy(region.config), logged, { lookups: 1 });
    index.written(observation('client-1', 'laboratory'));
    index.written(observation('client-2', 'laboratory'));
    await expect(index.flush()).rejects.toThrow(/not stated; retrying/);
    expect(index.pending).toBe(true);
    // The retry comes by itself.
    await expect.poll(() => logged.length, { timeout: 2000 }).toBe(2);
    expect(index.pending).toBe(false);
    expect(stated(logged)).toEqual([
      'pMaria-0000000000000001 laboratory',
      'pSanne-0000000000000002 laboratory',
    ]);
    index.close();
  });

  it('keeps a statement whose append times out, and does not state twice one that reached the log', async () => {
    const logged: SignedStatement[] = [];
    const index = publisher(new RegionPolicy(region.config), logged, { appendsLost: 1, appendsLate: 1 });
    index.written(observation('client-1', 'laboratory'));
    index.written(observation('client-1', 'vital-signs'));
    index.written(observation('client-2', 'laboratory'));
    await expect(index.flush()).rejects.toThrow();
    await expect.poll(() => index.pending, { timeout: 2000 }).toBe(false);
    expect(stated(logged)).toEqual([
      'pMaria-0000000000000001 laboratory',
      'pMaria-0000000000000001 vital-signs',
      'pSanne-0000000000000002 laboratory',
    ]);
    index.close();
  });

  it('reconciles the index against the store: states what is missing, and nothing already held', async () => {
    const policy = new RegionPolicy(region.config);
    const logged: SignedStatement[] = [];
    const index = publisher(policy, logged);
    index.written(observation('client-1', 'laboratory'));
    expect(await index.flush()).toBe(1);
    // A node that crashed before its batch was stated: the store holds more than the index.
    const store = [
      observation('client-1', 'laboratory'),
      observation('client-1', 'vital-signs'),
      observation('client-2', 'laboratory'),
      { resourceType: 'Organization', id: 'o' } as Resource,
    ];
    expect(await index.reconcile(resources(store))).toBe(2);
    expect(await index.reconcile(resources(store))).toBe(0);
    expect(stated(logged)).toEqual([
      'pMaria-0000000000000001 laboratory',
      'pMaria-0000000000000001 vital-signs',
      'pSanne-0000000000000002 laboratory',
    ]);
  });
});
