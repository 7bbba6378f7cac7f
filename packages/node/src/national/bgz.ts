// "The BgZ" of a client as a professional's overview asks for it (issue 22 item 4):
// `GET /exchange/overview?patient=…&set=bgz` asks every holder the BgZ query set — the published
// BgZ 2017 searches, each for her local Patient, each with its own node token — instead of
// `$everything`. Each search passes the holder's guard like any other (within her consents, every
// access recorded), and the answers come back reduced as the BgZ asks ($lastn: newest per code).
import { BGZ_QUERIES, bgzAnswer, bgzSearchPath } from '@ketenlog/national';
import { CATEGORIES, type HolderQuery } from '@ketenlog/exchange';

/**
 * The consent categories BgZ answers can fall in: every category of exchange's categoryOf but Mijn
 * Zorg Log's (charge items are no BgZ section). A category the index lists outside these is not
 * asked for, so not reported as withheld.
 */
export const BGZ_CONSENT_CATEGORIES: ReadonlySet<string> = new Set(
  CATEGORIES.filter((c) => c !== 'kraamzorg'),
);

/** The BgZ query set for her Patient at one holder. */
export function bgzQueriesFor(patient: string): HolderQuery[] {
  return BGZ_QUERIES.map((query) => ({
    path: bgzSearchPath(query, patient),
    answer: (searchset) => bgzAnswer(query, searchset),
  }));
}
