// The Dutch generic functions ("generieke functies") spoken by a Ketenlog node, each in its own
// directory: addressing (mCSD), localisation (NVI), consent (Mitz), BgZ and MedMij. docs/interop.md
// maps each national function to the Ketenlog part it speaks for.
export { PseudonymError } from './pseudonym/encoding.ts';
export {
  blindForRecipient,
  bsnIdentifier,
  NVI_SCOPE,
  recipientInfo,
  type Recipient,
} from './pseudonym/prs-input.ts';
export { Prs } from './pseudonym/prs.ts';
export { NVI_IDENTIFIER_SYSTEM, packIdentifier, PrsClient } from './pseudonym/prs-client.ts';
export { generateRecipientKey, RecipientKey, type RecipientKeyPair } from './pseudonym/recipient.ts';
export { fhirScope, type Authorization, type Authorize, type NationalCaller } from './http.ts';
export { DATA_CATEGORY_SYSTEM, gfCategoryOf, isDataCategory } from './nvi/data-categories.ts';
export { localizationList, OAUTH_CLIENT_SYSTEM } from './nvi/localization-list.ts';
export { NviStore } from './nvi/nvi-store.ts';
export { nviRoutes } from './nvi/nvi-routes.ts';
export { NviClient, NviError, type Holding } from './nvi/nvi-client.ts';
export { endpointId, regionDirectory, statementKeyExtension } from './mcsd/region-directory.ts';
export { DirectoryStore, isDirectoryType } from './mcsd/directory-store.ts';
export { mcsdRoutes } from './mcsd/mcsd-routes.ts';
export { McsdUpdateClient } from './mcsd/update-client.ts';
export { facilityTypeOf, uziRoleOf } from './mitz/codes.ts';
export type { ClosedQuestion } from './mitz/closed-question.ts';
export { InvalidNotification, parseNotification } from './mitz/notification.ts';
export { MitzClient } from './mitz/mitz-client.ts';
export { MitzConnector } from './mitz/mitz-connector.ts';
export { BGZ_QUERIES } from './bgz/bgz-queries.ts';
export { bgzAnswer, bgzQueryOf, bgzSearch, bgzSearchPath } from './bgz/bgz-request.ts';
export { BGZ_GEGEVENSDIENST, MEDMIJ_REQUEST_ID, medmijRequestId } from './medmij/medmij.ts';
export { mutualTlsFetch } from './mitz/mutual-tls-fetch.ts';
