import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { installContentParsers } from '@ketenlog/fhir';
import { installErrorHandlers } from '@ketenlog/problem';
import { signStatement, verifyReceipt, type Statement } from '@ketenlog/logbook';
import { receiptPolicyFor } from '@ketenlog/region';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { carelogRoutes } from './routes.ts';
import { newTestKey } from './testing/memory-logbook.ts';
import { MARIA, story, type Story } from './testing/story.ts';

let s: Story;
let app: FastifyInstance;
let base: string;

beforeEach(async () => {
  s = await story();
  await s.consent('grant');
  app = Fastify();
  installErrorHandlers(app);
  await app.register(carelogRoutes, {
    prefix: '/carelog',
    service: s.service,
    provider: 'ura:11110001',
    authorise: (request, action) =>
      action.action === 'insurer.read' && request.headers['x-test-org'] !== action.insurer
        ? 'U mag alleen de uren van uw eigen verzekerden zien.'
        : action.action === 'indication.read' && request.headers['x-test-deny'] === action.indication
          ? 'Geen toegang tot deze indicatie.'
          : undefined,
  });
  base = `${await app.listen({ host: '127.0.0.1', port: 0 })}/carelog`;
});
afterEach(async () => {
  await app.close();
  await s.db.close();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const type = response.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await response.json() : await response.text();
  return { status: response.status, type, data };
}

const INSURER = { 'x-test-org': 'ura:11110004' };

async function logVisit(date: string, start: string, end: string, supersedes?: string): Promise<string> {
  const draft = await call('POST', '/indications/ind-maria-1/entry-drafts', {
    carerKeyId: s.anna.keyId,
    date,
    start,
    end,
    activities: ['zorg-moeder'],
    ...(supersedes ? { supersedes } : {}),
  });
  expect(draft.status).toBe(200);
  const envelope = signStatement(draft.data.statement as Statement, s.anna.secret);
  const logged = await call('POST', '/entries', { envelope, ...(supersedes ? { supersedes } : {}) });
  expect(logged.status).toBe(201);
  return logged.data.hash;
}

async function decide(entry: string, decision: 'approved' | 'rejected', reason?: string) {
  const draft = await call('POST', '/approval-drafts', {
    entry,
    signerKeyId: s.maria.credential.keyId,
    decision,
    ...(reason ? { reason } : {}),
  });
  expect(draft.status).toBe(200);
  return call('POST', '/approvals', { envelope: s.maria.sign(draft.data.statement as Statement) });
}

describe('carelog routes over HTTP', () => {
  it('runs the whole story: indication, visits, approval, rejection, correction, views, insurer, declaration', async () => {
    const created = await call('POST', '/indications', {
      indication: 'ind-maria-1',
      subject: MARIA,
      birthDate: '2026-11-20',
      carePackage: 'basis-borstvoeding',
      days: 8,
      carers: ['pro:anna-jansen'],
    });
    expect(created.status).toBe(201);
    expect(created.data.budget.budgetMinutes).toBe(49 * 60);
    const reindicated = await call('POST', '/indications/ind-maria-1/reindications', {
      hours: -4,
      reason: 'ziekenhuisopname',
    });
    expect(reindicated.data.budget.lines.map((l: { hours: number }) => l.hours)).toEqual([49, -4]);

    const first = await logVisit('2026-11-21', '09:00', '12:00');
    const second = await logVisit('2026-11-22', '09:00', '12:00');
    expect((await decide(first, 'approved')).status).toBe(201);
    expect((await decide(second, 'rejected', 'Was korter')).status).toBe(201);
    const corrected = await logVisit('2026-11-22', '09:00', '11:00', second);

    const budget = await call('GET', '/indications/ind-maria-1/budget');
    expect(budget.data).toMatchObject({
      approvedMinutes: 180,
      remainingMinutes: 45 * 60 - 180,
      pendingMinutes: 120,
    });
    const overview = await call('GET', '/indications/ind-maria-1');
    expect(overview.data.entries.map((e: { status: string }) => e.status)).toEqual([
      'approved',
      'superseded',
      'pending',
    ]);
    const carer = await call('GET', '/carers/pro:anna-jansen');
    expect(carer.data.minutes).toEqual({ approved: 180, rejected: 0, superseded: 180, pending: 120 });
    const csv = await call('GET', '/indications/ind-maria-1/entries.csv');
    expect(csv.type).toContain('text/csv');
    expect(csv.data.split('\r\n')).toHaveLength(5);
    const fhir = await call('GET', '/indications/ind-maria-1/fhir');
    expect(fhir.data.entry.map((e: { resource: { status: string } }) => e.resource.status)).toEqual([
      'billable',
      'aborted',
      'planned',
    ]);

    const seen = await call('GET', '/insurers/11110004/entries', undefined, INSURER);
    expect(seen.data.entries.map((e: { entry: { hash: string } }) => e.entry.hash)).toEqual([first]);
    const policy = receiptPolicyFor(s.region.config, s.region.kraamzorg.log.origin);
    if (!policy) throw new Error('no policy');
    const [entry] = seen.data.entries;
    expect(verifyReceipt(entry.entryReceipt, s.logbook.entries[entry.entry.at.index]!, policy).ok).toBe(true);
    expect(
      verifyReceipt(entry.approvalReceipt, s.logbook.entries[entry.entry.approval.at.index]!, policy).ok,
    ).toBe(true);
    const bundle = await call('GET', '/insurers/11110004/entries/fhir', undefined, INSURER);
    expect(
      bundle.data.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType),
    ).toEqual(['ChargeItem', 'Provenance']);
    expect(bundle.data.entry[1].resource.signature).toHaveLength(2);

    const unapproved = await call(
      'POST',
      '/insurers/11110004/declarations',
      { entries: [corrected] },
      INSURER,
    );
    expect(unapproved.status).toBe(422);
    expect(unapproved.data.issue[0].details.coding[0].code).toBe('entry-not-approved');
    const declared = await call('POST', '/insurers/11110004/declarations', {}, INSURER);
    expect(declared.status).toBe(201);
    const [declaration] = declared.data.declarations;
    expect(declaration.entries).toEqual([first]);
    const again = await call('POST', '/insurers/11110004/declarations', {}, INSURER);
    expect(again).toMatchObject({ status: 200, data: { declarations: [] } });
    const claim = await call(
      'GET',
      `/insurers/11110004/declarations/${declaration.id}/fhir`,
      undefined,
      INSURER,
    );
    expect(claim.data).toMatchObject({
      resourceType: 'Claim',
      billablePeriod: { start: '2026-11-20', end: '2026-11-27' },
    });
    const paid = await call(
      'PUT',
      `/insurers/11110004/declarations/${declaration.id}/payment-status`,
      { status: 'betaald' },
      INSURER,
    );
    expect(paid.data.paymentStatus).toBe('betaald');
    const declarationsCsv = await call('GET', '/insurers/11110004/declarations.csv', undefined, INSURER);
    expect(declarationsCsv.data).toContain(',betaald\r\n');
  });

  it('answers bad requests with a Dutch OperationOutcome and the right 4xx', async () => {
    const bad = await call('POST', '/indications', { indication: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'invalid' }],
    });
    expect(bad.data.issue[0].diagnostics).toMatch(/^Ongeldige invoer/);

    const tooMany = await call('POST', '/indications', {
      indication: 'ind-maria-1',
      subject: MARIA,
      birthDate: '2026-11-20',
      carePackage: 'maatwerk',
      hours: 90,
      days: 8,
      carers: ['pro:anna-jansen'],
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.data.issue[0]).toMatchObject({
      code: 'business-rule',
      details: {
        coding: [{ code: 'indication-hours-out-of-range' }],
        text: 'Een indicatie is 24 tot 80 uur; 90 uur kan niet.',
      },
    });

    expect((await call('GET', '/indications/nope/budget')).status).toBe(404);
    await call('POST', '/indications', {
      indication: 'ind-maria-1',
      subject: MARIA,
      birthDate: '2026-11-20',
      carePackage: 'minimum',
      days: 8,
      carers: ['pro:anna-jansen'],
    });
    await logVisit('2026-11-21', '09:00', '12:00');
    const overlap = await call('POST', '/indications/ind-maria-1/entry-drafts', {
      carerKeyId: s.anna.keyId,
      date: '2026-11-21',
      start: '10:00',
      end: '11:00',
      activities: ['zorg-moeder'],
    });
    expect(overlap.status).toBe(409);
    expect(overlap.data.issue[0].details.text).toMatch(/overlapt/);
    const stranger = await call('POST', '/indications/ind-maria-1/entry-drafts', {
      carerKeyId: s.eva.keyId,
      date: '2026-11-22',
      start: '10:00',
      end: '11:00',
      activities: ['zorg-moeder'],
    });
    expect(stranger.data.issue[0].details.coding[0].code).toBe('carer-not-assigned');
    const forged = await call('POST', '/approvals', { envelope: { statement: {}, signatures: [] } });
    expect(forged.status).toBe(400);
    const otherInsurer = await call('GET', '/insurers/11110004/entries', undefined, {
      'x-test-org': 'ura:11110008',
    });
    expect(otherInsurer.status).toBe(403);
    expect(otherInsurer.data.issue[0].code).toBe('forbidden');
    const badUra = await call('GET', '/insurers/abc/entries', undefined, INSURER);
    expect(badUra.status).toBe(400);
  });

  it("binds the key on a carer's device for her, and her visit signed with it is logged", async () => {
    await call('POST', '/indications', {
      indication: 'ind-maria-1',
      subject: MARIA,
      birthDate: '2026-11-20',
      carePackage: 'basis-borstvoeding',
      days: 8,
      carers: ['pro:anna-jansen'],
    });
    const device = newTestKey();
    const bound = await call('POST', '/carers/pro:anna-jansen/keys', { publicKey: device.publicKey });
    expect(bound.status).toBe(201);
    expect(bound.data.keyId).toBe(device.keyId);
    expect(s.service.carerOfKey(device.keyId)).toBe('pro:anna-jansen');
    const again = await call('POST', '/carers/pro:anna-jansen/keys', { publicKey: device.publicKey });
    expect(again.status).toBe(409);

    const draft = await call('POST', '/indications/ind-maria-1/entry-drafts', {
      carerKeyId: device.keyId,
      date: '2026-11-21',
      start: '09:00',
      end: '12:00',
      activities: ['zorg-kind'],
    });
    expect(draft.status).toBe(200);
    const logged = await call('POST', '/entries', {
      envelope: signStatement(draft.data.statement as Statement, device.secret),
    });
    expect(logged.status).toBe(201);
  });

  it('binds no key for someone the region does not list as a carer of this organisation', async () => {
    const refused = await call('POST', '/carers/pro:karin-dewit/keys', { publicKey: newTestKey().publicKey });
    expect(refused.status).toBe(422);
    expect(refused.data.issue[0].diagnostics).toContain('geen kraamverzorgende');
    expect((await call('POST', '/carers/pro:anna-jansen/keys', { publicKey: 'AAAA' })).status).toBe(400);
  });

  it('lists only the care files the caller may read, each with its budget and entries', async () => {
    for (const [indication, subject] of [
      ['ind-maria-1', MARIA],
      ['ind-other-1', 'pOther-0000000000000002'],
    ])
      await call('POST', '/indications', {
        indication,
        subject,
        birthDate: '2026-11-20',
        carePackage: 'minimum',
        days: 8,
        carers: ['pro:anna-jansen'],
      });
    const all = await call('GET', '/indications');
    expect(all.status).toBe(200);
    expect(
      all.data.indications.map((i: { file: { indication: string } }) => i.file.indication).sort(),
    ).toEqual(['ind-maria-1', 'ind-other-1']);
    const some = await call('GET', '/indications', undefined, { 'x-test-deny': 'ind-other-1' });
    expect(some.data.indications).toHaveLength(1);
    expect(some.data.indications[0]).toMatchObject({
      file: { indication: 'ind-maria-1', carers: ['pro:anna-jansen'] },
      budget: { budgetMinutes: 24 * 60, remainingMinutes: 24 * 60 },
      entries: [],
    });
  });
});

describe('a body that is not JSON, or not JSON the route expects', () => {
  it('is a 400 or 415 OperationOutcome behind the node’s parsers, logged by route without its content', async () => {
    const logged: string[] = [];
    const node = Fastify({
      logger: {
        level: 'info',
        stream: new Writable({
          write(chunk, _encoding, done) {
            logged.push(String(chunk));
            done();
          },
        }),
      },
    });
    // As at a node: FHIR's JSON parser (malformed JSON is its ProblemError), 415 for other types
    // and the one error handler.
    installContentParsers(node);
    installErrorHandlers(node);
    await node.register(carelogRoutes, {
      prefix: '/carelog',
      service: s.service,
      provider: 'ura:11110001',
      authorise: () => undefined,
    });
    const at = `${await node.listen({ host: '127.0.0.1', port: 0 })}/carelog`;
    const secret = '999911120';
    const send = async (path: string, type: string, body: string, method = 'POST') => {
      const response = await fetch(`${at}${path}`, { method, headers: { 'content-type': type }, body });
      return { status: response.status, body: (await response.json()) as { resourceType?: string } };
    };
    try {
      const cases: [string, string, string, number][] = [
        ['/indications', 'application/json', `{"indication": "x", "subject": "${secret}"`, 400],
        ['/indications', 'application/json', `\uFEFF{"subject":"${secret}"}`, 400],
        ['/entries', 'application/json', `{"envelope": ${secret}}}`, 400],
        ['/approvals', 'application/json', '', 400],
        ['/approval-drafts', 'application/json', '['.repeat(20_000), 400],
        ['/carers/pro:anna-jansen/keys', 'text/plain', `publicKey=${secret}`, 415],
        ['/insurers/11110004/declarations', 'application/xml', `<x>${secret}</x>`, 415],
        ['/indications/ind-1/reindications', 'application/json', 'null', 400],
        ['/entries', 'application/json', '"just a string"', 400],
        ['/approvals', 'application/json', '[1, 2, 3]', 400],
      ];
      for (const [path, type, body, status] of cases) {
        const answer = await send(path, type, body);
        expect({ path, status: answer.status, type: answer.body.resourceType }).toEqual({
          path,
          status,
          type: 'OperationOutcome',
        });
        expect(JSON.stringify(answer.body)).not.toContain(secret);
      }
      const put = await send(
        '/insurers/11110004/declarations/d1/payment-status',
        'application/json',
        '{"status":',
      );
      expect(put.status).toBe(400);
      // Logged (route and status), never with the body's content.
      const refusals = logged.filter((l) => l.includes('request refused'));
      expect(refusals.length).toBeGreaterThanOrEqual(8);
      expect(refusals.some((l) => l.includes('/carelog/indications'))).toBe(true);
      expect(logged.join('')).not.toContain(secret);
    } finally {
      await node.close();
    }
  });
});
