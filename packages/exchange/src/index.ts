// Layer 3, exchange: who may see what of a client's data (the policy decision point) — the
// localisation index, consent register and federated overview build on it.
export { decideAccess, type AccessRequest, type NationalAnswer, type NationalConsent } from './pdp.ts';
export { PSEUDONYM_SYSTEM } from './consent-resource.ts';
export { CATEGORIES, patientOf } from './localisation/categories.ts';
export { categoryForConsent } from './enforcement/filter.ts';
export { accessOutcomeOf } from './enforcement/access-record.ts';
export { SOURCE_EXTENSION, type HolderQuery } from './overview/federated-overview.ts';
export { ERASURE_CONFIRMATION } from './portability/portability.ts';
export {
  ASSISTED_EXTENSION,
  assistedConsent,
  PAPER_CONSENT_SYSTEM,
  RECORDED_BY_EXTENSION,
} from './consent/assisted-consent.ts';
// Exchange at a region member: one component (its routes as a Fastify plugin, and close) over the
// interfaces it asks of the node (member/exchange-member.ts).
export {
  Exchange,
  pseudonymServiceOf,
  PSEUDONYM_PATH,
  RECONCILE_PATH,
  type ExchangeOptions,
} from './member/exchange.ts';
export type {
  ExchangeFhirAccess,
  ExchangeFhirCaller,
  ExchangeFhirInteraction,
  ExchangeLogbook,
  ExchangeMembership,
  FhirAccessOf,
} from './member/exchange-member.ts';
export { storeContents } from './member/indexing-repository.ts';
export { OVERVIEW_PATH, OVERVIEW_STATUS_SYSTEM, type OverviewQuerySet } from './member/overview.ts';
export { ACCESS_TRAIL_PATH, CONSENTS_PATH, type AccessTrailItem } from './member/client.ts';
export { CONSENT_PREVIEW_PATH, type ConsentPreview } from './member/consent-preview.ts';
export { ME_PATH, PEOPLE_PATH } from './member/people.ts';
export { ERASURE_PATH, EXPORT_PATH, HOLDER_EXPORT_PATH } from './member/portability.ts';
export { REFERRALS_PATH, type InboxItem } from './member/referrals.ts';
export { ASSISTED_CONSENTS_PATH } from './member/assisted.ts';
