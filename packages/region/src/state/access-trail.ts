// The NEN 7513 access trail from `access` statements: per pseudonym, who read which category,
// for which purpose, sorted by position so every node shows the client the same list.
import type { StatementOf } from '@ketenlog/logbook';
import { insertByPosition, type EntryPosition, type Positioned } from './position.ts';

export interface AccessRecord extends Positioned {
  readonly accessor: string;
  readonly organisation: string;
  readonly role: string;
  readonly category: string;
  readonly purpose: string;
  /** The holder's decision, when the statement states it (older ones encode a refusal in the reason). */
  readonly outcome?: 'permit' | 'deny';
  readonly breakTheGlass: boolean;
  readonly reason?: string;
  /** Break-the-glass: the commitment to the reason the holder keeps (statement body). */
  readonly reasonCommitment?: string;
  /** Key ID of the holder node that recorded the access. */
  readonly recordedBy: string;
}

/** pseudonym → accesses sorted by position. */
export type AccessTrail = Map<string, AccessRecord[]>;

export function applyAccess(
  trail: AccessTrail,
  statement: StatementOf<'access'>,
  hash: string,
  at: EntryPosition,
): void {
  const subject = statement.subject as string;
  const list = trail.get(subject) ?? [];
  trail.set(subject, list);
  const {
    accessor,
    organisation,
    role,
    category,
    purpose,
    outcome,
    breakTheGlass,
    reason,
    reasonCommitment,
  } = statement.body;
  insertByPosition(list, {
    hash,
    at,
    accessor,
    organisation,
    role,
    category,
    purpose,
    breakTheGlass: breakTheGlass ?? false,
    recordedBy: statement.author,
    ...(outcome === undefined ? {} : { outcome }),
    ...(reason === undefined ? {} : { reason }),
    ...(reasonCommitment === undefined ? {} : { reasonCommitment }),
  });
}

export function accessesOf(trail: AccessTrail, pseudonym: string): readonly AccessRecord[] {
  return trail.get(pseudonym) ?? [];
}
