// `carelog.entry`: a carer's visit under an indication, signed with her own key. Folds into Mijn
// Zorg Log (state/carelog.ts) by its statement hash; the earliest position of one entry stands.
import { KIND_CARELOG_ENTRY, type StatementOf } from '@ketenlog/logbook';
import { organisationRef } from '../config/region-config.ts';
import { currentIndication, type Carelog } from '../state/carelog.ts';
import { setEarliest, type Positioned } from '../state/position.ts';
import { authorOrganisation, OK, refuse, type RegionKind } from './kind.ts';

export type CareEntryStatement = StatementOf<typeof KIND_CARELOG_ENTRY>;

function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  // The statement schema admits only HH:MM times.
  if (hours === undefined || minutes === undefined) throw new Error(`care entry time ${time} is not HH:MM`);
  return hours * 60 + minutes;
}

export function applyCareEntry(
  carelog: Carelog,
  statement: CareEntryStatement,
  hash: string,
  at: Positioned['at'],
): void {
  const { indication, date, start, end, activities } = statement.body;
  setEarliest(carelog.entries, hash, {
    hash,
    at,
    indication,
    subject: statement.subject as string,
    date,
    start,
    end,
    minutes: minutesOf(end) - minutesOf(start),
    activities,
    author: statement.author,
  });
  const hashes = carelog.entriesByIndication.get(indication) ?? new Set<string>();
  carelog.entriesByIndication.set(indication, hashes);
  hashes.add(hash);
}

export const carelogEntryKind: RegionKind<typeof KIND_CARELOG_ENTRY> = {
  kind: KIND_CARELOG_ENTRY,
  multiParty: false,
  judged: true,
  judge(ctx, s) {
    const indication = currentIndication(ctx.state.carelog, s.body.indication);
    if (!indication) return refuse(`entry for unknown indication ${s.body.indication}`);
    if (indication.subject !== s.subject)
      return refuse(`entry's client is not the client of indication ${s.body.indication}`);
    const org = authorOrganisation(ctx);
    if (!org || organisationRef(org.ura) !== indication.provider)
      return refuse(`only the indication's provider ${indication.provider} logs care for it`);
    return OK;
  },
  fold: (state, s, fact) => applyCareEntry(state.carelog, s, fact.hash, fact.at),
  // k1 the indication, k2 the entry's own hash, k3 the client (an insurer's approved minutes).
  lookup: (s, hash) => [s.body.indication, hash, s.subject ?? null],
};
