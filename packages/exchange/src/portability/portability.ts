// The client's own rights over her data across the region (AVG art. 15/20 portability, art. 17
// erasure): her node asks every holder in the localisation index on her behalf, with a node token
// whose role is `client`, whose subject is her pseudonym and whose purpose is `export` or
// `erasure`. A holder answers only when the calling node is one where she holds a bound client
// key (so a member cannot ask for someone else's pseudonym), and records the access like any
// other: one `access` statement per category, with the client herself as accessor.
import type { Bundle, BundleEntry, Consent, OperationOutcome, Resource } from '@medplum/fhirtypes';
import {
  CLIENT_ROLE,
  keyStatus,
  organisationOfKey,
  type KeyRegister,
  type RegionConfig,
} from '@ketenlog/region';
import type { AccessDecision } from '../pdp.ts';

/** The role claim of a node token that acts for the client herself. */
export const CLIENT_CALLER_ROLE = CLIENT_ROLE;
/** Purposes of the client's own requests (not PDP purposes: no consent governs her own data). */
export const OWN_PURPOSES = ['export', 'erasure'] as const;
export type OwnPurpose = (typeof OWN_PURPOSES)[number];

/** The confirmation an erasure request must carry, typed by the client. */
export const ERASURE_CONFIRMATION = 'VERWIJDER';

/** The decision behind a client's own request (recorded in her trail like any access). */
export function ownDecision(purpose: OwnPurpose): AccessDecision {
  return {
    permit: true,
    basis: 'client',
    reason:
      purpose === 'export'
        ? 'De cliënt haalt haar eigen gegevens op (export).'
        : 'De cliënt laat haar eigen gegevens wissen.',
  };
}

/**
 * Whether the calling organisation may act for this client: it bound an active client key for her
 * pseudonym on its log (it is a node where she logs in with her passkey).
 */
export function actsForClient(
  state: { readonly config: RegionConfig; readonly keys: KeyRegister },
  pseudonym: string,
  callerUra: string,
): boolean {
  for (const [keyId, binding] of state.keys.bindings)
    if (
      binding.role === CLIENT_CALLER_ROLE &&
      binding.holder === pseudonym &&
      binding.boundBy !== undefined &&
      keyStatus(state.keys, keyId) === 'active' &&
      organisationOfKey(state.config, state.keys, binding.boundBy)?.ura === callerUra
    )
      return true;
  return false;
}

/**
 * Whether a node-token caller acts for this client with this purpose of her own: role `client`,
 * subject her pseudonym, from a node that bound her client key.
 */
export function callerActsForClient(
  state: { readonly config: RegionConfig; readonly keys: KeyRegister },
  caller: {
    readonly role: string;
    readonly purpose: string;
    readonly professional?: string;
    readonly organisation: { readonly ura: string };
  },
  pseudonym: string,
  purpose: OwnPurpose,
): boolean {
  return (
    caller.role === CLIENT_CALLER_ROLE &&
    caller.purpose === purpose &&
    caller.professional === pseudonym &&
    actsForClient(state, pseudonym, caller.organisation.ura)
  );
}

export interface ExportParts {
  /** Her records from every holder that answered, each naming its source (SOURCE_EXTENSION). */
  readonly records: readonly BundleEntry[];
  /** Holders that did not answer, by name, with the reason. */
  readonly missing: readonly { readonly ura: string; readonly name: string; readonly reason: string }[];
  readonly consents: readonly Consent[];
  /** Her access trail, as BALP AuditEvents. */
  readonly trail: readonly Resource[];
  readonly at: Date;
}

/** One FHIR `collection` Bundle with everything about her; an OperationOutcome names missing holders. */
export function exportBundle(parts: ExportParts): Bundle {
  const records = parts.records.map((e) => ({
    ...(e.fullUrl ? { fullUrl: e.fullUrl } : {}),
    resource: e.resource!,
  }));
  const own = [...parts.consents, ...parts.trail].map((resource) => ({ resource }));
  const outcome: OperationOutcome | undefined = parts.missing.length
    ? {
        resourceType: 'OperationOutcome',
        issue: parts.missing.map((m) => ({
          severity: 'warning',
          code: 'incomplete',
          // the holder that did not answer, for a reader that names organisations itself
          details: {
            coding: [{ system: 'http://fhir.nl/fhir/NamingSystem/ura', code: m.ura, display: m.name }],
          },
          diagnostics: `${m.name} (URA ${m.ura}) gaf geen antwoord (${m.reason}); deze export is onvolledig.`,
        })),
      }
    : undefined;
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: parts.at.toISOString(),
    entry: [...records, ...own, ...(outcome ? [{ resource: outcome }] : [])],
  };
}
