// The Dutch generic functions ("generieke functies") spoken by a Ketenlog node, each in its own
// directory: addressing (mCSD), localisation (NVI), consent (Mitz), BgZ and MedMij. docs/interop.md
// maps each national function to the Ketenlog part it speaks for.
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
