// The Dutch generic functions ("generieke functies") spoken by a Ketenlog node, each in its own
// directory: addressing (mCSD), localisation (NVI), consent (Mitz), BgZ and MedMij. docs/interop.md
// maps each national function to the Ketenlog part it speaks for.
export * from './pseudonym/encoding.ts';
export * from './pseudonym/prs-input.ts';
export * from './pseudonym/prs.ts';
export * from './pseudonym/prs-client.ts';
export * from './pseudonym/recipient.ts';
export * from './http.ts';
export * from './nvi/data-categories.ts';
export * from './nvi/localization-list.ts';
export * from './nvi/nvi-store.ts';
export * from './nvi/nvi-routes.ts';
export * from './nvi/nvi-client.ts';
export * from './mcsd/region-directory.ts';
export * from './mcsd/directory-store.ts';
export * from './mcsd/mcsd-routes.ts';
export * from './mcsd/region-check.ts';
export * from './mcsd/update-client.ts';
export * from './mitz/codes.ts';
export * from './mitz/closed-question.ts';
export * from './mitz/subscription.ts';
export * from './mitz/notification.ts';
export * from './mitz/mitz-client.ts';
export * from './mitz/mitz-connector.ts';
export * from './bgz/bgz-queries.ts';
export * from './bgz/bgz-request.ts';
export * from './medmij/medmij.ts';
export * from './mitz/mutual-tls-fetch.ts';
