// The localisation record (GF Localization, "Data models"; profile nl-gf-localization-list): a List
// that says only "care provider X holds data of category Y for patient Z" — custodian URA, the
// pseudonymised subject, the category, the registering system — with no entries, no dates and
// `emptyReason` withheld. Parsed strictly: anything else in a submitted List is refused.
import type { List } from '@medplum/fhirtypes';
import { problem } from '@ketenlog/problem';
import { URA_SYSTEM } from '../mcsd/region-directory.ts';
import { NVI_IDENTIFIER_SYSTEM } from '../pseudonym/prs-client.ts';
import { DATA_CATEGORY_SYSTEM, isDataCategory, ZORGCONTEXT } from './data-categories.ts';

export const CUSTODIAN_EXTENSION =
  'http://minvws.github.io/generiekefuncties-docs/StructureDefinition/nl-gf-localization-custodian';
export const OAUTH_CLIENT_SYSTEM =
  'http://minvws.github.io/generiekefuncties-docs/NamingSystem/oauth-client-id';
const LIST_EMPTY_REASON = 'http://terminology.hl7.org/CodeSystem/list-empty-reason';
export const LOCALIZATION_PROFILE =
  'http://minvws.github.io/generiekefuncties-docs/StructureDefinition/nl-gf-localization-list';

/** What a localisation record states; `subject` is still the client's packed identifier. */
export interface SubmittedRecord {
  /** The custodian's URA (8 digits). */
  readonly custodian: string;
  /** `subject.identifier.value`: the PRS's JWE and the blind factor, for this NVI only. */
  readonly subject: string;
  readonly category: string;
  /** The OAuth client id of the registering system. */
  readonly source: string;
}

/** A record as the NVI keeps it: the subject is the NVI's own pseudonym by then. */
export interface LocalisationRecord {
  readonly id: string;
  readonly custodian: string;
  readonly pseudonym: string;
  readonly category: string;
  readonly source: string;
}

const ALLOWED = new Set([
  'resourceType',
  'id',
  'extension',
  'status',
  'mode',
  'code',
  'subject',
  'source',
  'emptyReason',
]);

const invalid = (message: string) => problem(400, 'invalid', message);
const unprocessable = (message: string) => problem(422, 'processing', message);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Who submits: the authenticated custodian and its registering system. */
export interface Submitter {
  readonly ura: string;
  readonly clientId: string;
}

/**
 * A submitted List as a record, or a ProblemError (400 structure, 422 profile, 403 another
 * custodian) naming the element. The custodian and source may be left out: the NVI fills them from
 * the authenticated caller (as nuts-knooppunt adds the custodian), and refuses them when they differ.
 */
export function parseLocalizationList(value: unknown, submitter: Submitter): SubmittedRecord {
  if (!isObject(value) || value.resourceType !== 'List') throw invalid('the body must be a List resource');
  for (const key of Object.keys(value))
    if (!ALLOWED.has(key))
      throw unprocessable(`List.${key} is not allowed in a localisation record (no dates, entries or notes)`);
  if (value.status !== 'current') throw unprocessable('List.status must be current');
  if (value.mode !== 'working') throw unprocessable('List.mode must be working');
  const extensions = Array.isArray(value.extension) ? value.extension : [];
  const custodians = extensions.filter((e) => isObject(e) && e.url === CUSTODIAN_EXTENSION) as Json[];
  if (custodians.length > 1)
    throw unprocessable('List has more than one nl-gf-localization-custodian extension');
  if (custodians.length === 1) {
    const identifier = (custodians[0]!.valueReference as Json | undefined)?.identifier as Json | undefined;
    if (
      identifier?.system !== URA_SYSTEM ||
      typeof identifier.value !== 'string' ||
      !/^\d{8}$/.test(identifier.value)
    )
      throw unprocessable('the custodian must be identified by its URA (8 digits)');
    if (identifier.value !== submitter.ura)
      throw problem(
        403,
        'forbidden',
        `ura:${submitter.ura} may register only its own holdings, not ura:${identifier.value}'s`,
      );
  }
  const subject = (value.subject as Json | undefined)?.identifier as Json | undefined;
  if (subject?.system !== NVI_IDENTIFIER_SYSTEM || typeof subject.value !== 'string' || subject.value === '')
    throw unprocessable(
      `List.subject.identifier must be a pseudonym (${NVI_IDENTIFIER_SYSTEM}), never a BSN`,
    );
  const codings = Array.isArray((value.code as Json | undefined)?.coding)
    ? ((value.code as Json).coding as Json[])
    : [];
  const category = codings.find((c) => isObject(c) && c.system === DATA_CATEGORY_SYSTEM)?.code;
  if (typeof category !== 'string' || !isDataCategory(category))
    throw unprocessable(`List.code must be a code of nl-gf-zorgcontext-vs (${DATA_CATEGORY_SYSTEM})`);
  if (value.source !== undefined) {
    const source = (value.source as Json | undefined)?.identifier as Json | undefined;
    if (source?.system !== OAUTH_CLIENT_SYSTEM || source.value !== submitter.clientId)
      throw unprocessable(
        `List.source.identifier must be the registering system's own client id (${OAUTH_CLIENT_SYSTEM})`,
      );
  }
  if (value.emptyReason !== undefined) {
    const reason = (value.emptyReason as Json | undefined)?.coding;
    if (
      !Array.isArray(reason) ||
      !reason.some((c) => isObject(c) && c.system === LIST_EMPTY_REASON && c.code === 'withheld')
    )
      throw unprocessable('List.emptyReason must be withheld');
  }
  return { custodian: submitter.ura, subject: subject.value, category, source: submitter.clientId };
}

/** A localisation List: `subject` only in what a client sends, never in what the NVI answers. */
function list(record: Omit<SubmittedRecord, 'subject'>, subject?: string): List {
  return {
    resourceType: 'List',
    extension: [
      {
        url: CUSTODIAN_EXTENSION,
        valueReference: { identifier: { system: URA_SYSTEM, value: record.custodian } },
      },
    ],
    status: 'current',
    mode: 'working',
    code: {
      coding: [
        { system: DATA_CATEGORY_SYSTEM, code: record.category, display: ZORGCONTEXT[record.category] },
      ],
    },
    ...(subject === undefined
      ? {}
      : { subject: { identifier: { system: NVI_IDENTIFIER_SYSTEM, value: subject } } }),
    source: { identifier: { system: OAUTH_CLIENT_SYSTEM, value: record.source } },
    emptyReason: { coding: [{ system: LIST_EMPTY_REASON, code: 'withheld' }] },
  };
}

/** The List of a submitted record, as a localisation client sends it. */
export function localizationList(record: SubmittedRecord): List {
  return list(record, record.subject);
}

/** A stored record as the NVI answers it: without the subject (GF Localization, search response). */
export function answeredList(record: LocalisationRecord): List {
  return { ...list(record), id: record.id, meta: { profile: [LOCALIZATION_PROFILE] } };
}
