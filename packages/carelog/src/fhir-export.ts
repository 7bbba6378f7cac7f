// The standard shape outward (issue 6 item 6). An entry is a ChargeItem: FHIR R4's resource for "a
// provision of a chargeable service" with performer, period, quantity and a billing status, which
// is what a logged care hour is to the care administration and the insurer (an Observation would
// claim a clinical finding; an Encounter carries no quantity or billing status). The carer's and
// the client's signatures travel as a Provenance per entry (FHIR's place for signatures over a
// target), carrying the signed logbook envelopes. A declaration is a Claim per client per care
// period, one item per approved entry.
import { ACTIVITY_LABELS, carePeriodOf } from './care-protocol.ts';
import type { CareFile, Declaration } from './care-file.ts';
import type { CareEntryStatus } from './entry-status.ts';
import type { EntryView } from './carelog-service.ts';
import { canonicalBytes, fromBase64, toHex, type Json, type SignedStatement } from '@ketenlog/logbook';

export const ENTRY_SYSTEM = 'urn:ketenlog:carelog:entry';
export const PSEUDONYM_SYSTEM = 'urn:ketenlog:pseudonym';
export const PROFESSIONAL_SYSTEM = 'urn:ketenlog:professional';
export const URA_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/ura';
export const ACTIVITY_SYSTEM = 'urn:ketenlog:carelog:activity';
export const SERVICE_SYSTEM = 'urn:ketenlog:carelog:service';
export const PAYMENT_STATUS_URL = 'urn:ketenlog:carelog:payment-status';

type Resource = { readonly resourceType: string; readonly [key: string]: unknown };

/** A FHIR id for an entry: hex of its statement hash (64 characters, [A-Za-z0-9]). */
export const entryResourceId = (hash: string): string => toHex(fromBase64(hash) ?? new Uint8Array());

const CHARGE_STATUS: Readonly<Record<CareEntryStatus, string>> = {
  pending: 'planned',
  approved: 'billable',
  rejected: 'not-billable',
  superseded: 'aborted',
};

/** "+01:00" / "+02:00": the Amsterdam offset on that day and time. */
function offsetOf(date: string, time: string, timeZone: string): string {
  const guess = Date.parse(`${date}T${time}:00Z`);
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(guess)
    .find((p) => p.type === 'timeZoneName')?.value;
  const offset = name?.replace('GMT', '') ?? '';
  return offset === '' ? '+00:00' : offset;
}

const dateTime = (date: string, time: string, timeZone: string) =>
  `${date}T${time}:00${offsetOf(date, time, timeZone)}`;

const uraRef = (ref: string) => ({ identifier: { system: URA_SYSTEM, value: ref.replace(/^ura:/, '') } });
const pseudonymRef = (subject: string) => ({ identifier: { system: PSEUDONYM_SYSTEM, value: subject } });

export function chargeItemOf(entry: EntryView, provider: string, timeZone = 'Europe/Amsterdam'): Resource {
  return {
    resourceType: 'ChargeItem',
    id: entryResourceId(entry.hash),
    identifier: [{ system: ENTRY_SYSTEM, value: entry.hash }],
    status: entry.declaration !== undefined ? 'billed' : CHARGE_STATUS[entry.status],
    code: { coding: [{ system: SERVICE_SYSTEM, code: 'kraamzorg-uur', display: 'Kraamzorg (uren)' }] },
    subject: pseudonymRef(entry.subject),
    occurrencePeriod: {
      start: dateTime(entry.date, entry.start, timeZone),
      end: dateTime(entry.date, entry.end, timeZone),
    },
    performer: [
      {
        function: { text: 'kraamverzorgende' },
        actor: { identifier: { system: PROFESSIONAL_SYSTEM, value: entry.carer ?? entry.author } },
      },
    ],
    performingOrganization: uraRef(provider),
    quantity: { value: entry.minutes / 60, unit: 'h', system: 'http://unitsofmeasure.org', code: 'h' },
    productCodeableConcept: {
      coding: entry.activities.map((a) => ({
        system: ACTIVITY_SYSTEM,
        code: a,
        display: ACTIVITY_LABELS[a] ?? a,
      })),
    },
    enteredDate: new Date(entry.at.iat * 1000).toISOString(),
    ...(entry.reason === undefined ? {} : { note: [{ text: `Afgewezen door cliënt: ${entry.reason}` }] }),
    ...(entry.supersedes === undefined
      ? {}
      : { replaces: [{ identifier: { system: ENTRY_SYSTEM, value: entry.supersedes } }] }),
  };
}

// ASTM E1762-95 signature types, as FHIR's signature-type value set names them.
const AUTHOR_SIGNATURE = {
  system: 'urn:iso-astm:E1762-95:2013',
  code: '1.2.840.10065.1.12.1.1',
  display: "Author's Signature",
};
const VERIFICATION_SIGNATURE = {
  system: 'urn:iso-astm:E1762-95:2013',
  code: '1.2.840.10065.1.12.1.5',
  display: 'Verification Signature',
};

function signatureOf(type: object, envelope: SignedStatement, who: object): object {
  return {
    type: [type],
    when: new Date(envelope.statement.iat * 1000).toISOString(),
    who,
    // The signed logbook envelope (JCS); its own signatures are Ed25519 or WebAuthn assertions.
    sigFormat: 'application/json',
    data: Buffer.from(canonicalBytes(envelope as unknown as Json)).toString('base64'),
  };
}

/** The Provenance of an entry: the carer's signed entry and, once decided, the client's decision. */
export function provenanceOf(
  entry: EntryView,
  envelopes: { entry?: SignedStatement; approval?: SignedStatement },
): Resource {
  const carer = { identifier: { system: PROFESSIONAL_SYSTEM, value: entry.carer ?? entry.author } };
  const client = pseudonymRef(entry.subject);
  const signatures = [
    ...(envelopes.entry ? [signatureOf(AUTHOR_SIGNATURE, envelopes.entry, carer)] : []),
    ...(envelopes.approval ? [signatureOf(VERIFICATION_SIGNATURE, envelopes.approval, client)] : []),
  ];
  return {
    resourceType: 'Provenance',
    id: `prov-${entryResourceId(entry.hash).slice(0, 59)}`,
    target: [{ reference: `ChargeItem/${entryResourceId(entry.hash)}` }],
    recorded: new Date(entry.at.iat * 1000).toISOString(),
    agent: [
      {
        type: {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author' },
          ],
        },
        who: carer,
      },
      ...(entry.approval
        ? [
            {
              type: {
                coding: [
                  {
                    system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
                    code: 'verifier',
                  },
                ],
              },
              who: client,
            },
          ]
        : []),
    ],
    signature: signatures,
  };
}

export function claimOf(
  declaration: Declaration,
  entries: readonly EntryView[],
  file: CareFile | undefined,
  days: number | undefined,
  provider: string,
): Resource {
  const period = file && days ? carePeriodOf(file.birthDate, days) : undefined;
  const byHash = new Map(entries.map((e) => [e.hash, e]));
  return {
    resourceType: 'Claim',
    id: declaration.id,
    identifier: [{ system: 'urn:ketenlog:carelog:declaration', value: declaration.id }],
    extension: [{ url: PAYMENT_STATUS_URL, valueCode: declaration.paymentStatus }],
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'institutional' }] },
    use: 'claim',
    patient: pseudonymRef(declaration.subject),
    ...(period ? { billablePeriod: { start: period.from, end: period.to } } : {}),
    created: declaration.created,
    insurer: uraRef(declaration.insurer),
    provider: uraRef(provider),
    priority: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }],
    },
    insurance: [
      { sequence: 1, focal: true, coverage: { display: `Zorgverzekering bij ${declaration.insurer}` } },
    ],
    item: declaration.entries.map((hash, i) => {
      const entry = byHash.get(hash);
      return {
        sequence: i + 1,
        productOrService: {
          coding: [{ system: SERVICE_SYSTEM, code: 'kraamzorg-uur', display: 'Kraamzorg (uren)' }],
        },
        ...(entry ? { servicedDate: entry.date } : {}),
        quantity: {
          value: (entry?.minutes ?? 0) / 60,
          unit: 'h',
          system: 'http://unitsofmeasure.org',
          code: 'h',
        },
        extension: [
          { url: ENTRY_SYSTEM, valueReference: { reference: `ChargeItem/${entryResourceId(hash)}` } },
        ],
      };
    }),
  };
}

export function collection(resources: readonly Resource[]): Resource {
  return { resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) };
}
