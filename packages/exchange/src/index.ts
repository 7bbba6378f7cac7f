// Layer 3, exchange: who may see what of a client's data (the policy decision point) — the
// localisation index, consent register and federated overview build on it.
export * from './pdp.ts';
export * from './consent-resource.ts';
export * from './pseudonym/pseudonym.ts';
export * from './pseudonym/pseudonym-service.ts';
export * from './pseudonym/pseudonym-client.ts';
export * from './localisation/categories.ts';
export * from './localisation/index-publisher.ts';
export * from './consent/consent-drafts.ts';
export * from './enforcement/filter.ts';
export * from './enforcement/access-record.ts';
export * from './overview/federated-overview.ts';
export * from './overview/holder-guard.ts';
export * from './overview/timeline.ts';
export * from './consent/local-consents.ts';
export * from './portability/portability.ts';
export * from './pseudonym/subject-salts.ts';
export * from './consent/assisted-consent.ts';
