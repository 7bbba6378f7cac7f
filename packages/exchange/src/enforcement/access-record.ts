// The access trail of every read (NEN 7513): an AuditEvent in the IHE BALP shape for the holder's
// own store, and an `access` statement draft for its log. A break-the-glass reason is free text a
// professional typed about a client in an emergency: it stays at the holder (in its AuditEvent,
// with the salt) and reaches the client from there; the public log carries only a commitment to
// it, SHA-256(salt ‖ reason), so the client can check she was shown what was recorded.
import { createHash } from 'node:crypto';
import type { AuditEvent } from '@medplum/fhirtypes';
import { STATEMENT_VERSION, type Statement, KIND_ACCESS } from '@ketenlog/logbook';
import type { AccessDecision, AccessRequest } from '../pdp.ts';
import type { OwnPurpose } from '../portability/portability.ts';
import { PSEUDONYM_SYSTEM } from '../consent-resource.ts';

/** The client's own request: her node acting for her, with an own purpose (export, erasure). */
export type OwnAccessRequest = Omit<AccessRequest, 'purpose' | 'breakTheGlass'> & {
  readonly purpose: OwnPurpose;
  readonly breakTheGlass?: undefined;
};

/** A break-the-glass reason sealed for the log: the salt (kept with the reason) and the commitment. */
export interface ReasonSeal {
  /** 32 random bytes, base64. */
  readonly salt: string;
  /** SHA-256(salt ‖ UTF-8 reason), base64: what the log carries. */
  readonly commitment: string;
}

/** Seals a reason with a fresh random salt (from node:crypto, given by the caller). */
export function sealReason(reason: string, salt: Uint8Array): ReasonSeal {
  const commitment = createHash('sha256').update(salt).update(reason, 'utf8').digest('base64');
  return { salt: Buffer.from(salt).toString('base64'), commitment };
}

/** Whether a reason and salt open a commitment from the log. */
export function opensSeal(commitment: string, reason: string, salt: string): boolean {
  const bytes = Buffer.from(salt, 'base64');
  return bytes.length === 32 && sealReason(reason, bytes).commitment === commitment;
}

/** The AuditEvent id of a break-the-glass access: its commitment in hex (a valid FHIR id). */
export const auditIdOfSeal = (commitment: string): string =>
  Buffer.from(commitment, 'base64').toString('hex');

/** AuditEvent.entity.detail types that keep a break-the-glass reason at the holder. */
export const REASON_DETAIL = 'break-the-glass-reason';
export const SALT_DETAIL = 'break-the-glass-salt';

export interface AccessEvent {
  readonly request: AccessRequest | OwnAccessRequest;
  readonly decision: Pick<AccessDecision, 'permit' | 'reason'>;
  /** The professional (e.g. `uzi:<number>` or a key ID); never a BSN. */
  readonly accessor: string;
  /** `read`, `search-type`, `history`, `$everything`, `export`. */
  readonly interaction: 'read' | 'search-type' | 'history' | 'operation' | 'delete';
  /** What was asked, e.g. `Observation?patient=…` (no BSN). */
  readonly query?: string;
  readonly at: Date;
  /** An allowed break-the-glass access: its reason sealed for the log (required then). */
  readonly seal?: ReasonSeal;
}

/** The reason of an allowed break-the-glass access, trimmed; undefined for any other. */
const glassReason = (event: AccessEvent): string | undefined =>
  event.decision.permit && event.request.breakTheGlass
    ? event.request.breakTheGlass.reason.trim()
    : undefined;

const PURPOSE_CODES: Record<string, string> = {
  treatment: 'TREAT',
  billing: 'HPAYMT',
  research: 'HRESCH',
  // HL7 v3 ActReason "patient requested": her own export or erasure.
  export: 'PATRQT',
  erasure: 'PATRQT',
};
const BALP = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientRead';
const BALP_QUERY = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientQuery';

export function auditEvent(event: AccessEvent): AuditEvent {
  const { request, decision } = event;
  const query = event.interaction !== 'read' && event.interaction !== 'delete';
  const reason = glassReason(event);
  const sealed = reason !== undefined && event.seal ? { reason, seal: event.seal } : undefined;
  return {
    resourceType: 'AuditEvent',
    ...(sealed ? { id: auditIdOfSeal(sealed.seal.commitment) } : {}),
    meta: { profile: [query ? BALP_QUERY : BALP] },
    type: query
      ? { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110112', display: 'Query' }
      : {
          system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
          code: 'rest',
          display: 'RESTful Operation',
        },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: event.interaction }],
    action: event.interaction === 'delete' ? 'D' : query ? 'E' : 'R',
    recorded: event.at.toISOString(),
    outcome: decision.permit ? '0' : '4',
    outcomeDesc: decision.reason,
    purposeOfEvent: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
            code: request.breakTheGlass ? 'ETREAT' : (PURPOSE_CODES[request.purpose] ?? request.purpose),
          },
        ],
      },
    ],
    agent: [
      {
        type: {
          coding: [
            {
              system: 'http://dicom.nema.org/resources/ontology/DCM',
              code: '110153',
              display: 'Source Role ID',
            },
          ],
        },
        who: { identifier: { system: 'http://fhir.nl/fhir/NamingSystem/ura', value: request.requester.ura } },
        requestor: false,
      },
      {
        type: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }],
        },
        who: { identifier: { value: event.accessor } },
        role: [{ coding: [{ code: request.requester.role }] }],
        requestor: true,
      },
    ],
    source: {
      observer: { identifier: { system: 'http://fhir.nl/fhir/NamingSystem/ura', value: request.holder } },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4' }],
    },
    entity: [
      {
        what: { identifier: { system: PSEUDONYM_SYSTEM, value: request.subject } },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' },
      },
      {
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '24' },
        description: request.category,
        ...(event.query ? { query: Buffer.from(event.query, 'utf8').toString('base64') } : {}),
        ...(sealed
          ? {
              detail: [
                { type: REASON_DETAIL, valueString: sealed.reason },
                { type: SALT_DETAIL, valueBase64Binary: sealed.seal.salt },
              ],
            }
          : {}),
      },
    ],
  };
}

/**
 * How a refusal was written in `access` statements before they carried an explicit `outcome`: the
 * reason with this prefix (and never breakTheGlass). Still read, never written.
 */
export const REFUSED_PREFIX = 'geweigerd: ';

/** An access record as the client is shown it: allowed or refused, and why. */
export interface AccessReading {
  readonly outcome: 'allowed' | 'refused';
  readonly reason?: string;
}

/** Reads an access record (as folded in the region's trail, or a statement body), old or new. */
export function readAccess(record: {
  readonly outcome?: 'permit' | 'deny';
  readonly breakTheGlass?: boolean;
  readonly reason?: string;
}): AccessReading {
  const { outcome, breakTheGlass, reason } = record;
  if (outcome !== undefined)
    return { outcome: outcome === 'permit' ? 'allowed' : 'refused', ...(reason ? { reason } : {}) };
  if (!breakTheGlass && reason?.startsWith(REFUSED_PREFIX))
    return { outcome: 'refused', reason: reason.slice(REFUSED_PREFIX.length) };
  return { outcome: 'allowed', ...(reason ? { reason } : {}) };
}

/** Whether an access record was allowed or refused. */
export const accessOutcomeOf = (record: Parameters<typeof readAccess>[0]): AccessReading['outcome'] =>
  readAccess(record).outcome;

/** The `access` statement for the holder's log; the holder's node signs it. */
export function accessDraft(event: AccessEvent, author: string): Statement {
  const { request, decision } = event;
  // A refused break-the-glass attempt is recorded as a refusal (with the PDP's reason). An allowed
  // one carries only the commitment to its reason: the free text never goes onto the log.
  const glass = glassReason(event);
  if (glass !== undefined && !event.seal) throw new Error('break-the-glass access without a sealed reason');
  return {
    kind: KIND_ACCESS,
    v: STATEMENT_VERSION,
    author,
    iat: Math.floor(event.at.getTime() / 1000),
    subject: request.subject,
    body: {
      accessor: event.accessor,
      organisation: `ura:${request.requester.ura}`,
      role: request.requester.role,
      category: request.category,
      purpose: request.purpose,
      outcome: decision.permit ? 'permit' : 'deny',
      ...(glass !== undefined && event.seal
        ? { breakTheGlass: true, reasonCommitment: event.seal.commitment }
        : {}),
      ...(decision.permit ? {} : { reason: decision.reason.slice(0, 500) }),
    },
  };
}
