// The NEN 7513 access trail, folded from `access` statements (kinds/access.ts): per pseudonym, who read which category,
// for which purpose, sorted by position so every node shows the client the same list.
import type { Positioned } from './position.ts';

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

export function accessesOf(trail: AccessTrail, pseudonym: string): readonly AccessRecord[] {
  return trail.get(pseudonym) ?? [];
}
