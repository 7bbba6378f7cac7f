// `carelog.indication`: the kraamzorg budget of one client (Landelijk Indicatieprotocol
// Kraamzorg), or a re-indication that replaces the version in force. Folds into Mijn Zorg Log
// (state/carelog.ts): every version, sorted by position.
import { KIND_CARELOG_INDICATION, type StatementOf } from '@ketenlog/logbook';
import { currentIndication, type Carelog } from '../state/carelog.ts';
import { insertByPosition, type Positioned } from '../state/position.ts';
import { isMember, OK, refuse, type RegionKind } from './kind.ts';

export type IndicationStatement = StatementOf<typeof KIND_CARELOG_INDICATION>;

export function applyIndication(
  carelog: Carelog,
  statement: IndicationStatement,
  hash: string,
  at: Positioned['at'],
): void {
  const { indication, provider, hours, days, replaces } = statement.body;
  const list = carelog.indications.get(indication) ?? [];
  carelog.indications.set(indication, list);
  insertByPosition(list, {
    hash,
    at,
    indication,
    subject: statement.subject as string,
    provider,
    hours,
    days,
    author: statement.author,
    ...(replaces === undefined ? {} : { replaces }),
  });
}

export const carelogIndicationKind: RegionKind<typeof KIND_CARELOG_INDICATION> = {
  kind: KIND_CARELOG_INDICATION,
  multiParty: false,
  judged: true,
  judge(ctx, s) {
    const { body } = s;
    if (!isMember(ctx.config, body.provider))
      return refuse(`provider ${body.provider} is not a member organisation`);
    const current = currentIndication(ctx.state.carelog, body.indication);
    if (!current)
      return body.replaces === undefined
        ? OK
        : refuse(`re-indication of unknown indication ${body.indication}`);
    if (body.replaces === undefined)
      return refuse(`indication ${body.indication} exists; a re-indication names the version it replaces`);
    if (body.replaces !== current.hash)
      return refuse(`re-indication replaces a version of ${body.indication} that is not current`);
    if (current.subject !== s.subject)
      return refuse(`re-indication of ${body.indication} is for another client`);
    return OK;
  },
  fold: (state, s, fact) => applyIndication(state.carelog, s, fact.hash, fact.at),
  // k1 the indication.
  lookup: (s) => [s.body.indication, null, null],
};
