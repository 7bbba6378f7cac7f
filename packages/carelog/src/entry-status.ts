// An entry's status as people see it: the region's decision (pending, approved, rejected), and
// superseded when the care organisation corrected a rejected entry with a new one.
import { entryStatus, type Carelog } from '@ketenlog/region';
import type { CareFiles } from './care-file.ts';

export type CareEntryStatus = 'pending' | 'approved' | 'rejected' | 'superseded';

export const STATUS_LABELS: Readonly<Record<CareEntryStatus, string>> = {
  pending: 'Wacht op akkoord',
  approved: 'Akkoord',
  rejected: 'Afgewezen',
  superseded: 'Vervangen door correctie',
};

export function careEntryStatus(carelog: Carelog, files: CareFiles, entry: string): CareEntryStatus {
  const status = entryStatus(carelog, entry);
  return status === 'rejected' && files.supersededBy(entry) !== undefined ? 'superseded' : status;
}

/** Whether an entry still uses budget and blocks its time slot: pending or approved. */
export const counts = (status: CareEntryStatus): boolean => status === 'pending' || status === 'approved';
