// The IBD-coach study's parties: one hospital, one insurer and one statistics office of the region,
// known by their organisation type; an agreement names them by URA.
import {
  findOrganisation,
  organisationRef,
  uraOf,
  type AgreementTerms,
  type RegionConfig,
} from '@ketenlog/region';
import { problem } from '@ketenlog/problem';
import type { PartyIndex } from '../mpc/shamir.ts';
import type { IbdCoachParties } from './ibd-coach.ts';

/** A party's place in the IBD-coach study. */
export type StudyRole = 'hospital' | 'insurer' | 'statistics';

const STUDY_ROLES: Record<string, StudyRole | undefined> = {
  ziekenhuis: 'hospital',
  zorgverzekeraar: 'insurer',
  statistiek: 'statistics',
};
/** A party's index in the engine by its place in the study. */
export const ROLE_INDEX: Record<StudyRole, PartyIndex> = { hospital: 1, insurer: 2, statistics: 3 };

/** The IBD-coach study's parties in a region: its first hospital, insurer and statistics office. */
export function regionStudyParties(region: RegionConfig): IbdCoachParties | undefined {
  const first = (type: string) => region.organisations.find((o) => o.type === type);
  const [hospital, insurer, statistics] = [
    first('ziekenhuis'),
    first('zorgverzekeraar'),
    first('statistiek'),
  ];
  if (!hospital || !insurer || !statistics) return undefined;
  return {
    hospital: organisationRef(hospital.ura),
    insurer: organisationRef(insurer.ura),
    statistics: organisationRef(statistics.ura),
  };
}

/** The study parties of an agreement: one hospital, one insurer, one statistics office. */
export function studyParties(region: RegionConfig, terms: AgreementTerms): IbdCoachParties {
  const byRole = new Map<StudyRole, string>();
  for (const ref of terms.parties) {
    const org = findOrganisation(region, uraOf(ref) ?? '');
    const role = org ? STUDY_ROLES[org.type] : undefined;
    if (!role || byRole.has(role))
      throw problem(
        422,
        'not-supported',
        `agreement ${terms.agreement}: no study of this node fits parties ${terms.parties.join(', ')}`,
      );
    byRole.set(role, ref);
  }
  if (byRole.size !== 3)
    throw problem(422, 'not-supported', `agreement ${terms.agreement} needs three study parties`);
  return {
    hospital: byRole.get('hospital')!,
    insurer: byRole.get('insurer')!,
    statistics: byRole.get('statistics')!,
  };
}
