// When a representative may read the record of the client she acts for. A delegation names the
// statement kinds she may sign for the client (DESIGN.md, delegation); reading the record follows
// the widest of them: she who may decide, for the client, who sees her data (`consent`) may see it
// herself. A mandate to approve maternity-care hours alone does not open the record. The grant must
// be on the logbook, signed by the client and in force — a delegation known only to the node's
// database, not yet logged, or revoked, opens nothing.
import { delegationInForce, type ConsentRegister } from '@ketenlog/region';
import { KIND_CONSENT } from '@ketenlog/logbook';

/** Delegated statement kinds that let a representative read her client's record. */
export const RECORD_READING_KINDS = [KIND_CONSENT] as const;

export function representativeMayRead(consents: () => ConsentRegister) {
  return (client: string, representative: string): boolean =>
    RECORD_READING_KINDS.some((kind) => delegationInForce(consents(), client, representative, kind));
}
