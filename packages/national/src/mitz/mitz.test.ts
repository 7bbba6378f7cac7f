// The Mitz connector against the published example messages (golden cases from nuts-knooppunt's
// component/mitz tests, commit 9beca4c) and against the Mitz stand-in, a separate process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Subscription } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirDefinitions, parseFhirXml } from '@ketenlog/fhir';
import { startMitzStandin, type RunningMitzStandin } from '../../standins/mitz-standin-process.ts';
import {
  checkClosedQuestion,
  closedQuestionXml,
  decisionXml,
  InvalidClosedQuestion,
  InvalidMitzMessage,
  parseDecision,
  readClosedQuestion,
  type ClosedQuestion,
} from './closed-question.ts';
import { MitzClient, MitzUnavailable } from './mitz-client.ts';
import { MitzConnector } from './mitz-connector.ts';
import { parseNotification } from './notification.ts';
import { otvSubscription, otvSubscriptionProblems } from './subscription.ts';

const example = (name: string) => readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8');

/** The question of the published example message. */
const EXAMPLE_QUESTION: ClosedQuestion = {
  bsn: '900186021',
  holder: { ura: '00000659', facilityType: 'Z3' },
  requester: { ura: '00000666', facilityType: 'Z3', role: '01.015', professional: '000095254' },
  purpose: 'TREAT',
};

/** Every attribute of a message as "category attribute-id data-type". */
function attributeShape(xml: string): string[] {
  const shape: string[] = [];
  for (const group of xml.matchAll(/<Attributes Category="([^"]+)"[\s\S]*?<\/Attributes>/g))
    for (const a of group[0].matchAll(/AttributeId="([^"]+)"[\s\S]*?DataType="([^"]+)"/g))
      shape.push(`${group[1]} ${a[1]} ${a[2]}`);
  return shape.sort();
}

describe('the closed question', () => {
  it('reads the published example message as the question it asks', () => {
    expect(readClosedQuestion(example('closed-question.example.xml'))).toEqual(EXAMPLE_QUESTION);
  });

  it('asks with the same categories, attribute ids and data types as the published example', () => {
    const ours = closedQuestionXml(EXAMPLE_QUESTION, 'https://mitz.example/geslotenautorisatievraag/xacml3');
    expect(attributeShape(ours)).toEqual(attributeShape(example('closed-question.example.xml')));
    expect(readClosedQuestion(ours)).toEqual(EXAMPLE_QUESTION);
    expect(ours).toContain('<wsa:Action>XACMLAuthorizationDecisionQueryRequest</wsa:Action>');
  });

  it('refuses to ask without a valid BSN, URA, role or purpose', () => {
    const bad: Partial<ClosedQuestion>[] = [
      { bsn: '123456789' },
      { holder: { ura: '659', facilityType: 'Z3' } },
      { requester: { ...EXAMPLE_QUESTION.requester, role: '<x/>' } },
      { requester: { ...EXAMPLE_QUESTION.requester, professional: '' } },
      { purpose: 'HRESCH' as never },
    ];
    for (const over of bad)
      expect(() => checkClosedQuestion({ ...EXAMPLE_QUESTION, ...over })).toThrow(InvalidClosedQuestion);
  });

  it.each(['Permit', 'Deny', 'NotApplicable', 'Indeterminate'] as const)('reads the decision %s', (d) => {
    expect(parseDecision(decisionXml(d))).toBe(d);
  });

  it('refuses an answer that is not XML, has no decision, or an unknown one', () => {
    expect(() => parseDecision('<s:Envelope')).toThrow(InvalidMitzMessage);
    expect(() => parseDecision(decisionXml('Permit').replace(/<Decision>.*<\/Decision>/, ''))).toThrow(
      /without a Decision/,
    );
    expect(() => parseDecision(decisionXml('Permit').replace('Permit', 'Maybe'))).toThrow(/unknown decision/);
    expect(() => parseDecision('<a/>')).toThrow(/Response/);
  });
});

describe('subscriptions and notifications', () => {
  let definitions: FhirDefinitions;
  beforeAll(() => {
    definitions = FhirDefinitions.load();
  });

  it('places subscriptions Mitz accepts, like the published example', () => {
    const published = parseFhirXml(example('subscription.example.xml'), definitions);
    expect(otvSubscriptionProblems(published)).toEqual([]);
    const ours = otvSubscription({
      bsn: '900186021',
      holder: { ura: '00000659', facilityType: 'V4' },
      endpoint: 'https://node.example/national/mitz/notify',
      gatewaySystem: 'urn:oid:2.16.840.1.113883.2.4.6.6.1',
    });
    expect(otvSubscriptionProblems(ours)).toEqual([]);
    expect(ours.criteria).toBe('Consent?_query=otv&patientid=900186021&providerid=00000659&providertype=V4');
  });

  it('finds what Mitz would refuse in a subscription', () => {
    const ok = parseFhirXml(example('subscription.example.xml'), definitions) as Subscription;
    expect(otvSubscriptionProblems({ ...ok, status: 'active' })).toContain('status must be "requested"');
    expect(otvSubscriptionProblems({ ...ok, reason: 'x' })).toContain('reason must be "OTV"');
    expect(otvSubscriptionProblems({ ...ok, criteria: 'Consent?patientid=1' })).toHaveLength(4);
    expect(otvSubscriptionProblems({ ...ok, channel: { type: 'email' } })).toHaveLength(2);
    expect(otvSubscriptionProblems({ ...ok, extension: [{ url: 'http://x', valueString: 'y' }] })).toEqual([
      'extension http://x is not allowed',
    ]);
    expect(otvSubscriptionProblems('Subscription')).toEqual(['not a Subscription']);
  });

  it('reads the published notification: one permit for pharmacies, one deny for six categories', () => {
    const changes = parseNotification(parseFhirXml(example('notification.example.xml'), definitions));
    expect(changes).toEqual([
      {
        bsn: '900186021',
        holder: '00000659',
        decision: 'permit',
        providerCategories: ['RPZAC005'],
        dataCategory: 'GGC002',
      },
      {
        bsn: '900186021',
        holder: '00000659',
        decision: 'deny',
        providerCategories: ['RPZAC001', 'RPZAC104', 'RPZAC004', 'RPZAC003', 'RPZAC103', 'RPZAC200'],
        dataCategory: 'GGC002',
      },
    ]);
  });

  it('refuses a notification that is not a Bundle of Consents about a BSN', () => {
    expect(() => parseNotification({ resourceType: 'Patient' })).toThrow(/Bundle/);
    expect(() => parseNotification({ resourceType: 'Bundle', entry: [] })).toThrow(/at least one/);
    expect(() =>
      parseNotification({
        resourceType: 'Bundle',
        entry: [{ resource: { resourceType: 'Consent', patient: { reference: 'x' } } }],
      }),
    ).toThrow(/BSN/);
  });
});

describe('the connector against the Mitz stand-in (a separate process)', () => {
  const MARIA = '900186021';
  const ANNA = '999990019';
  const FAILING = '999990020';
  let mitz: RunningMitzStandin;
  beforeAll(async () => {
    mitz = await startMitzStandin({
      choices: [
        { bsn: MARIA, decision: 'Permit' },
        { bsn: MARIA, consultingFacilityType: 'J8', decision: 'Deny' },
      ],
      failFor: [FAILING],
    });
  });
  afterAll(() => mitz.stop());

  const ask = (bsn: string, facilityType = 'V4'): ClosedQuestion => ({
    ...EXAMPLE_QUESTION,
    bsn,
    requester: { ...EXAMPLE_QUESTION.requester, facilityType },
  });

  it('gets her answer per consulting facility type, and NotApplicable where she chose nothing', async () => {
    const client = new MitzClient({ base: mitz.url });
    expect(await client.ask(ask(MARIA))).toBe('Permit');
    expect(await client.ask(ask(MARIA, 'J8'))).toBe('Deny');
    expect(await client.ask(ask(ANNA))).toBe('NotApplicable');
    const asked = await mitz.questions();
    expect(asked.at(-1)).toEqual(ask(ANNA));
  });

  it('reports a failing or unreachable Mitz as unavailable, never as an answer', async () => {
    await expect(new MitzClient({ base: mitz.url }).ask(ask(FAILING))).rejects.toThrow(MitzUnavailable);
    await expect(
      new MitzClient({ base: 'http://127.0.0.1:9', timeoutMs: 500 }).ask(ask(MARIA)),
    ).rejects.toThrow(MitzUnavailable);
  });

  it('subscribes once per client, keeps her answer, and asks again after a notification', async () => {
    const client = new MitzClient({ base: mitz.url });
    const connector = new MitzConnector({ client, notifyEndpoint: 'http://127.0.0.1:9/notify' });
    const before = (await mitz.questions()).length;
    expect(await connector.decide(ask(MARIA))).toBe('Permit');
    expect(await connector.decide(ask(MARIA))).toBe('Permit');
    expect((await mitz.questions()).length).toBe(before + 1);
    expect((await mitz.subscriptions()).filter((s) => s.bsn === MARIA)).toEqual([
      { bsn: MARIA, holder: '00000659', endpoint: 'http://127.0.0.1:9/notify' },
    ]);
    // She withdraws in the Mitz portal (the notification cannot reach this test's endpoint).
    await mitz.choose({ bsn: MARIA, decision: 'Deny' });
    expect(await connector.decide(ask(MARIA))).toBe('Permit');
    expect(connector.changed([{ bsn: MARIA, decision: 'deny', providerCategories: [] }])).toBe(1);
    expect(await connector.decide(ask(MARIA))).toBe('Deny');
    expect((await mitz.subscriptions()).filter((s) => s.bsn === MARIA)).toHaveLength(1);
  });
});
