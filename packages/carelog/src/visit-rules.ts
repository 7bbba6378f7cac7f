// The rules a logged visit must meet before it becomes a carelog.entry: a carer assigned to the
// client, not in the future, inside the care period, no overlap with another visit, and within the
// budget unless there is a re-indication. Pure: the clock and the facts come in as arguments.
import { formatHours, isActivity, isCalendarDate, minutesOfTime, type CarePeriod } from './care-protocol.ts';
import { problem, success, type Outcome } from './problem.ts';

export interface Visit {
  readonly date: string;
  readonly start: string;
  readonly end: string;
  readonly activities: readonly string[];
}

export interface LoggedVisit {
  readonly hash: string;
  readonly date: string;
  readonly start: string;
  readonly end: string;
}

export interface VisitContext {
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly carePeriod: CarePeriod;
  readonly budgetMinutes: number;
  /** Minutes of this indication that count: approved and pending entries. */
  readonly usedMinutes: number;
  /** Visits of this client and of this carer that still count (not rejected or superseded). */
  readonly others: readonly LoggedVisit[];
  readonly carerAssigned: boolean;
  /** Where the visit's wall-clock times are. Default Europe/Amsterdam. */
  readonly timeZone?: string;
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The wall-clock date and time of `now` in `timeZone`, as "YYYY-MM-DD HH:MM". */
export function localDateTime(now: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

function overlaps(a: { date: string; start: string; end: string }, b: LoggedVisit): boolean {
  return a.date === b.date && a.start < b.end && b.start < a.end;
}

/** Checks a visit; the value is its length in minutes. */
export function checkVisit(visit: Visit, context: VisitContext): Outcome<number> {
  const { date, start, end, activities } = visit;
  if (typeof date !== 'string' || !isCalendarDate(date))
    return problem('entry-invalid-time', 'De datum moet een datum zijn (JJJJ-MM-DD).', 400);
  if (typeof start !== 'string' || typeof end !== 'string' || !TIME.test(start) || !TIME.test(end))
    return problem('entry-invalid-time', 'Begin- en eindtijd moeten tijden zijn (UU:MM).', 400);
  if (start >= end) return problem('entry-invalid-time', 'De eindtijd moet na de begintijd liggen.', 400);
  if (!Array.isArray(activities) || activities.length === 0)
    return problem('entry-invalid-activity', 'Kies ten minste één activiteit.', 400);
  const unknown = activities.find((a) => typeof a !== 'string' || !isActivity(a));
  if (unknown !== undefined)
    return problem('entry-invalid-activity', `Onbekende activiteit: ${String(unknown)}.`, 400);
  if (new Set(activities).size !== activities.length)
    return problem('entry-invalid-activity', 'Elke activiteit mag maar één keer voorkomen.', 400);
  if (!context.carerAssigned)
    return problem(
      'carer-not-assigned',
      'U bent niet toegewezen aan deze cliënt en kunt hier geen uren schrijven.',
    );
  if (`${date} ${end}` > localDateTime(context.now, context.timeZone ?? 'Europe/Amsterdam'))
    return problem(
      'entry-in-future',
      'Dit bezoek ligt (deels) in de toekomst; schrijf uren pas na het bezoek.',
    );
  const { from, to } = context.carePeriod;
  if (date < from || date > to)
    return problem(
      'entry-outside-care-period',
      `Het bezoek valt buiten de kraamperiode (${from} tot en met ${to}).`,
    );
  const clash = context.others.find((o) => overlaps(visit, o));
  if (clash)
    return problem(
      'entry-overlap',
      `Dit bezoek overlapt met een ander bezoek op ${clash.date} van ${clash.start} tot ${clash.end}.`,
      409,
    );
  const minutes = minutesOfTime(end) - minutesOfTime(start);
  const left = context.budgetMinutes - context.usedMinutes;
  if (minutes > left)
    return problem(
      'entry-over-budget',
      `Dit bezoek (${formatHours(minutes)}) past niet in het resterende budget (${formatHours(left)}). ` +
        'Vraag eerst een herindicatie aan.',
    );
  return success(minutes);
}
