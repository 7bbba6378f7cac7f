// MedMij, the agreements under which a client's PGO (personal health environment) fetches her data
// from a care provider's DVZA: OAuth 2.0 authorization code flow with her DigiD login, an
// authorisation code usable once, and on every request from the PGO server a `MedMij-Request-ID`
// (a UUID the DVZA logs and returns, so both sides' logs can be joined) — MedMij Afsprakenstelsel
// release 2.x, "Interfaces: Autorisatie" and "Interfaces: Resource" (read on
// afsprakenstelsel.medmij.nl; the Node list-handling library GidsOpenStandaarden/OpenPGO-Medmij-
// ImplementatieBouwstenen-NodeJS for reference only). The BgZ is gegevensdienst 48.
export const MEDMIJ_REQUEST_ID = 'medmij-request-id';
/** The gegevensdienst "Basisgegevensset Zorg" (BgZ 2017). */
export const BGZ_GEGEVENSDIENST = '48';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * The `MedMij-Request-ID` of a request: the id, `undefined` when there is none, or `null` when the
 * header is there but no UUID (or there twice).
 */
export function medmijRequestId(header: string | string[] | undefined): string | undefined | null {
  if (header === undefined) return undefined;
  if (Array.isArray(header) || !UUID.test(header.trim())) return null;
  return header.trim().toLowerCase();
}
