import { parseEntry, parseReceipt, signStatement } from '@ketenlog/logbook';
import { assert, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { carerOverview, clientOverview } from './care-administration.ts';
import { declarationsCsv, entriesCsv, toCsv } from './csv-export.ts';
import { chargeItemOf, claimOf, provenanceOf } from './fhir-export.ts';
import type { Outcome } from './problem.ts';
import { MARIA, story, type Story } from './testing/story.ts';

let s: Story;
const hashes: string[] = [];
function value<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`${outcome.problem.code}: ${outcome.problem.text}`);
  return outcome.value;
}

beforeEach(async () => {
  s = await story();
  hashes.length = 0;
  value(
    await s.service.recordIndication({
      indication: 'ind-maria-1',
      subject: MARIA,
      provider: 'ura:11110001',
      birthDate: '2026-11-20',
      carePackage: 'basis-kunstvoeding',
      days: 8,
      carers: ['pro:anna-jansen', 'pro:eva-bakker'],
    }),
  );
  for (const [key, date] of [
    [s.anna, '2026-11-21'],
    [s.eva, '2026-11-22'],
    [s.anna, '2026-11-23'],
  ] as const) {
    const draft = value(
      s.service.draftEntry('ind-maria-1', key.keyId, {
        date,
        start: '09:00',
        end: '12:30',
        activities: ['zorg-kind', 'voeding'],
      }),
    );
    hashes.push(value(await s.service.submitEntry(signStatement(draft.statement, key.secret))).hash);
  }
  const decide = async (entry: string, decision: 'approved' | 'rejected', reason?: string) =>
    value(
      await s.service.submitApproval(
        s.maria.sign(
          value(s.service.draftApproval(entry, s.maria.credential.keyId, decision, reason)).statement,
        ),
      ),
    );
  await s.consent('grant');
  await decide(hashes[0]!, 'approved');
  await decide(hashes[1]!, 'rejected', '=te laat, "half" uur\nkorter');
});
afterEach(async () => s.db.close());

describe('care administration views', () => {
  it('shows one client with hours against her budget', () => {
    const view = value(clientOverview(s.service, 'ind-maria-1'));
    expect(view.budget.budgetMinutes).toBe(45 * 60);
    expect(view.minutes).toEqual({ approved: 210, rejected: 210, pending: 210, superseded: 0 });
    expect(view.entries.map((e) => e.status)).toEqual(['approved', 'rejected', 'pending']);
    expect(view.file?.birthDate).toBe('2026-11-20');
    expect(clientOverview(s.service, 'unknown').ok).toBe(false);
  });

  it('shows one carer with her entries per client', () => {
    const anna = carerOverview(s.service, 'pro:anna-jansen');
    expect(anna.entries.map((e) => e.hash)).toEqual([hashes[0], hashes[2]]);
    expect(anna.clients).toEqual([
      {
        indication: 'ind-maria-1',
        subject: MARIA,
        minutes: { approved: 210, pending: 210, rejected: 0, superseded: 0 },
        budgetMinutes: 2700,
      },
    ]);
    expect(carerOverview(s.service, 'pro:eva-bakker').minutes.rejected).toBe(210);
  });
});

describe('CSV (RFC 4180)', () => {
  it('quotes what must be quoted, ends lines in CRLF and defuses formulas', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [1, undefined],
          ['line\nbreak', '=SUM(A1)'],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n1,\r\n"line\nbreak",\'=SUM(A1)\r\n');
  });

  it('exports entries with Dutch headers and labels', () => {
    const csv = entriesCsv(s.service.entries('ind-maria-1'));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'Datum,Begintijd,Eindtijd,Minuten,Uren,Activiteiten,Kraamverzorgende,Cliënt (pseudoniem),Indicatie,Status,Reden afwijzing,Vervangt regel,Vervangen door,Declaratie,Regel (hash)',
    );
    expect(lines[1]).toContain(
      '2026-11-21,09:00,12:30,210,"3,50",Zorg voor de pasgeborene; Ondersteuning bij voeding,pro:anna-jansen',
    );
    expect(lines[1]).toContain(',Akkoord,');
    expect(csv).toContain(`"'=te laat, ""half"" uur\nkorter"`);
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('exports declarations', async () => {
    value(await s.service.declare(s.region.insurer.ref));
    const csv = declarationsCsv(s.service.files.declarations());
    expect(csv.split('\r\n')[0]).toBe(
      'Declaratie,Zorgverzekeraar,Cliënt (pseudoniem),Indicatie,Aantal regels,Minuten,Uren,Aangemaakt,Betaalstatus',
    );
    expect(csv).toMatch(/ura:11110004,pMaria-0000000000000001,ind-maria-1,1,210,"3,50",.*,ingediend\r\n$/);
  });
});

describe('FHIR', () => {
  it('maps an entry to a ChargeItem with its billing status, period in Amsterdam time and hours', () => {
    const [approved, rejected, pending] = s.service.entries('ind-maria-1');
    assert(approved && rejected && pending);
    const item = chargeItemOf(approved, 'ura:11110001') as Record<string, unknown>;
    expect(item).toMatchObject({
      resourceType: 'ChargeItem',
      status: 'billable',
      identifier: [{ system: 'urn:ketenlog:carelog:entry', value: approved.hash }],
      occurrencePeriod: { start: '2026-11-21T09:00:00+01:00', end: '2026-11-21T12:30:00+01:00' },
      quantity: { value: 3.5, code: 'h' },
      performingOrganization: { identifier: { value: '11110001' } },
      subject: { identifier: { value: MARIA } },
    });
    expect(item.id).toMatch(/^[0-9a-f]{64}$/);
    expect(chargeItemOf(rejected, 'ura:11110001')).toMatchObject({
      status: 'not-billable',
      note: [{ text: expect.stringMatching(/Afgewezen/) }],
    });
    expect(chargeItemOf(pending, 'ura:11110001')).toMatchObject({ status: 'planned' });
  });

  it('carries both signatures in a Provenance and declares a Claim per care period', async () => {
    const [seen] = await s.service.insurerEntries(s.region.insurer.ref);
    assert(seen);
    const envelopeOf = (receipt?: string) => {
      const parsed = parseEntry(parseReceipt(receipt as string).extra as Uint8Array);
      if (!parsed.ok) throw new Error(parsed.problem.text);
      return parsed.value;
    };
    const provenance = provenanceOf(seen.entry, {
      entry: envelopeOf(seen.entryReceipt),
      approval: envelopeOf(seen.approvalReceipt),
    }) as unknown as {
      signature: { type: { code: string }[]; data: string }[];
    };
    expect(provenance.signature.map((x) => x.type[0]?.code)).toEqual([
      '1.2.840.10065.1.12.1.1',
      '1.2.840.10065.1.12.1.5',
    ]);
    const approval = JSON.parse(Buffer.from(provenance.signature[1]!.data, 'base64').toString());
    expect(approval.signatures[0].alg).toBe('webauthn-es256');
    const [declaration] = value(await s.service.declare(s.region.insurer.ref));
    assert(declaration);
    const claim = claimOf(
      declaration,
      s.service.entries('ind-maria-1'),
      s.service.files.file('ind-maria-1'),
      8,
      'ura:11110001',
    );
    expect(claim).toMatchObject({
      resourceType: 'Claim',
      use: 'claim',
      billablePeriod: { start: '2026-11-20', end: '2026-11-27' },
      insurer: { identifier: { value: '11110004' } },
      item: [{ sequence: 1, servicedDate: '2026-11-21', quantity: { value: 3.5 } }],
    });
  });
});
