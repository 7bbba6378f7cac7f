// The client's side of the exchange at her node (packages/exchange/src/member/client.ts): her consent
// register as FHIR Consents, consent drafts she signs with her passkey, and her access trail.
import { CARE_TYPES } from '@ketenlog/exchange/vocabulary';
import { requestBlob, requestJson, type ApiResult } from './http.ts';
import type { FhirResource } from './fhir.ts';
import type { StatementDraft } from '../carelog/passkey-signing.ts';

export interface Consent {
  resourceType: 'Consent';
  id: string;
  dateTime?: string;
  provision?: {
    type?: 'permit' | 'deny';
    actor?: { reference?: { display?: string; identifier?: { value?: string } } }[];
    purpose?: { code?: string; display?: string }[];
    class?: { code?: string }[];
  };
}
export interface ConsentBundle {
  resourceType: 'Bundle';
  entry?: { resource?: Consent }[];
}
export type ConsentActor =
  { kind: 'organisation'; ura: string } | { kind: 'type'; type: string } | { kind: 'role'; role: string };
export interface ConsentChoice {
  decision?: 'grant' | 'objection';
  actor?: ConsentActor;
  categories?: string[];
  purpose?: string;
  withdraw?: string;
}
export interface AccessTrailItem {
  at: string;
  organisation: { ura: string; name?: string };
  accessor: { id: string; name?: string };
  role: string;
  category: string;
  purpose: string;
  outcome: 'allowed' | 'refused';
  breakTheGlass: boolean;
  reason?: string;
}

// The consent vocabulary as packages/exchange defines it (imported by path: browser-safe files).
export { CATEGORIES } from '@ketenlog/exchange/categories';
export { PURPOSES } from '@ketenlog/exchange/vocabulary';
/** Whom a consent may name by type: the care organisations, and insurers (for billing). */
export const ORGANISATION_TYPES = [...CARE_TYPES, 'zorgverzekeraar'] as const;

/** What one party would see of her data, per category, as the holders' PDP decides it. */
export interface ConsentPreview {
  party: { ura?: string; name?: string; type: string };
  purpose: string;
  /** `items`: her records of a visible category at this organisation. */
  categories: { category: string; visible: boolean; basis: string; reason: string; items?: FhirResource[] }[];
}
export type PreviewParty = { ura: string } | { type: string };

export const exchangeApi = {
  consents: (): Promise<ApiResult<ConsentBundle>> => requestJson('/exchange/consents'),
  consentDrafts: (choice: ConsentChoice): Promise<ApiResult<{ drafts: StatementDraft[] }>> =>
    requestJson('/exchange/consent-drafts', { method: 'POST', body: JSON.stringify(choice) }),
  accessTrail: (): Promise<ApiResult<{ accesses: AccessTrailItem[] }>> =>
    requestJson('/exchange/access-trail'),
  /** Everything the region keeps about her, as one FHIR Bundle (a file to save). */
  exportAll: (): Promise<ApiResult<Blob>> => requestBlob('/exchange/export'),
  consentPreview: (party: PreviewParty, purpose: string): Promise<ApiResult<ConsentPreview>> =>
    requestJson(`/exchange/consent-preview?${new URLSearchParams({ ...party, purpose })}`),
};
