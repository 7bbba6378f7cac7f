// Indications per the LIP (care-protocol.ts) and re-indications; the budget is the sum of the
// changes of each version, explained line by line from the logbook and the care file's notes.
import type { Carelog, IndicationRecord } from '@ketenlog/region';
import type { BudgetNote, BudgetReason, CareFile } from './care-file.ts';
import {
  MAXIMUM_DAYS,
  MAXIMUM_HOURS,
  MINIMUM_DAYS,
  MINIMUM_HOURS,
  PACKAGE_HOURS,
  CARE_PACKAGES,
  isCalendarDate,
  type CarePackage,
} from './care-protocol.ts';
import type { Draft } from './drafts.ts';
import { problem, success, type Outcome } from './problem.ts';
import { KIND_CARELOG_INDICATION } from '@ketenlog/logbook';

export interface IndicationInput {
  readonly indication: string;
  readonly subject: string;
  readonly provider: string;
  readonly birthDate: string;
  readonly carePackage: CarePackage;
  /** Only for maatwerk; the fixed packages have their own hours. */
  readonly hours?: number;
  readonly days: number;
  readonly carers: readonly string[];
}

export interface IndicationDraft {
  readonly draft: Draft<typeof KIND_CARELOG_INDICATION>;
  /** The care file without notes: the first note needs the signed version's hash. */
  readonly file: Omit<CareFile, 'notes'>;
}

const PRO = /^pro:[A-Za-z0-9._-]{1,100}$/;

export function draftIndication(input: IndicationInput): Outcome<IndicationDraft> {
  const { indication, subject, provider, birthDate, carePackage, days, carers } = input;
  if (!CARE_PACKAGES.includes(carePackage))
    return problem('invalid-input', `Onbekend zorgpakket; kies uit ${CARE_PACKAGES.join(', ')}.`, 400);
  if (!isCalendarDate(birthDate))
    return problem('invalid-input', 'De geboortedatum moet een datum zijn (JJJJ-MM-DD).', 400);
  if (!Number.isInteger(days) || days < MINIMUM_DAYS || days > MAXIMUM_DAYS)
    return problem(
      'indication-days-out-of-range',
      `Kraamzorg loopt ${MINIMUM_DAYS} tot ${MAXIMUM_DAYS} dagen vanaf de geboorte; ${days} dagen kan niet.`,
    );
  if (
    !Array.isArray(carers) ||
    carers.length === 0 ||
    carers.some((c) => typeof c !== 'string' || !PRO.test(c))
  )
    return problem('invalid-input', 'Wijs ten minste één kraamverzorgende toe (pro:…).', 400);
  let hours: number;
  if (carePackage === 'maatwerk') {
    if (input.hours === undefined || !Number.isInteger(input.hours))
      return problem('invalid-input', 'Geef bij maatwerk het aantal uren (een heel getal).', 400);
    hours = input.hours;
  } else {
    hours = PACKAGE_HOURS[carePackage];
    if (input.hours !== undefined && input.hours !== hours)
      return problem(
        'indication-package-hours',
        `Het ${carePackage}-pakket is ${hours} uur; kies maatwerk voor een ander aantal uren.`,
      );
  }
  if (hours < MINIMUM_HOURS || hours > MAXIMUM_HOURS)
    return problem(
      'indication-hours-out-of-range',
      `Een indicatie is ${MINIMUM_HOURS} tot ${MAXIMUM_HOURS} uur; ${hours} uur kan niet.`,
    );
  return success({
    draft: { kind: KIND_CARELOG_INDICATION, subject, body: { indication, provider, hours, days } },
    file: { indication, subject, provider, birthDate, carePackage, carers: [...carers] },
  });
}

export interface ReindicationInput {
  /** Hours added (positive, e.g. by the midwife) or removed (negative, e.g. days in hospital). */
  readonly hours: number;
  readonly reason: Exclude<BudgetReason, 'indicatie'>;
  readonly note?: string;
}

const REINDICATION_REASONS: readonly string[] = ['verloskundige', 'ziekenhuisopname', 'overig'];

/** A new version of the indication that replaces the current one, with the budget changed. */
export function draftReindication(
  current: IndicationRecord,
  input: ReindicationInput,
): Outcome<Draft<typeof KIND_CARELOG_INDICATION>> {
  if (!REINDICATION_REASONS.includes(input.reason))
    return problem('invalid-input', `Reden moet een van ${REINDICATION_REASONS.join(', ')} zijn.`, 400);
  if (!Number.isInteger(input.hours) || input.hours === 0)
    return problem(
      'reindication-no-change',
      'Een herindicatie voegt uren toe of haalt ze weg (heel getal, niet 0).',
    );
  const hours = current.hours + input.hours;
  if (hours < MINIMUM_HOURS || hours > MAXIMUM_HOURS)
    return problem(
      'reindication-out-of-range',
      `Na deze herindicatie zou de indicatie ${hours} uur zijn; dat moet ${MINIMUM_HOURS} tot ${MAXIMUM_HOURS} uur blijven.`,
    );
  return success({
    kind: KIND_CARELOG_INDICATION,
    subject: current.subject,
    body: {
      indication: current.indication,
      provider: current.provider,
      hours,
      days: current.days,
      replaces: current.hash,
    },
  });
}

export interface BudgetLine {
  /** Hash of the indication version. */
  readonly version: string;
  readonly iat: number;
  readonly reason: BudgetReason;
  readonly note?: string;
  /** Hours this line adds (negative: removes). */
  readonly hours: number;
  /** The budget after this line. */
  readonly total: number;
  readonly author: string;
}

/**
 * The budget, line by line: the versions from the first indication to the one in force (following
 * `replaces`), each with the hours it added or removed. The last line's total is the budget.
 */
export function budgetLines(
  carelog: Carelog,
  current: IndicationRecord,
  notes: readonly BudgetNote[] = [],
): BudgetLine[] {
  const versions = new Map((carelog.indications.get(current.indication) ?? []).map((v) => [v.hash, v]));
  const chain: IndicationRecord[] = [];
  for (
    let v: IndicationRecord | undefined = current;
    v;
    v = v.replaces ? versions.get(v.replaces) : undefined
  ) {
    chain.unshift(v);
    if (chain.length > versions.size) break;
  }
  let previous = 0;
  return chain.map((version, i) => {
    const note = notes.find((n) => n.version === version.hash);
    const line: BudgetLine = {
      version: version.hash,
      iat: version.at.iat,
      reason: note?.reason ?? (i === 0 ? 'indicatie' : 'overig'),
      ...(note?.note === undefined ? {} : { note: note.note }),
      hours: version.hours - previous,
      total: version.hours,
      author: version.author,
    };
    previous = version.hours;
    return line;
  });
}
