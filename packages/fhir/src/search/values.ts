/**
 * Value normalisation shared by extraction (write time) and queries (read time), so that both
 * sides agree on what is stored in the index.
 */

/** Lower-cased with accents removed: "Ëlla" and "ella" match (R4 §3.1.1.4.7 string search). */
export function normalizeString(value: string): string {
  // NFD splits "é" into "e" + U+0301; the combining marks are then dropped.
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(value);
  return (ascii ? value : value.normalize('NFD').replace(/[\u0300-\u036f]/g, '')).toLowerCase();
}

/** An instant range in epoch milliseconds, both ends inclusive. */
export interface DateRange {
  lo: number;
  hi: number;
}

/** The earliest representable instant, standing in for an open Period start (sp_date.lo is NOT NULL). */
export const OPEN_START = -8_640_000_000_000_000;

const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The implicit range of a FHIR date, dateTime or instant at its stated precision (R4 §2.24.0.1
 * and §3.1.1.4.3): "2020-03" covers all of March 2020. A value without a time zone is read as
 * UTC. Undefined when the value is not a valid date.
 */
export function dateRange(value: string): DateRange | undefined {
  const m = DATE_TIME.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59)) return undefined;
  const offset = zoneOffsetMs(zone);
  if (offset === undefined) return undefined;
  const start = (yy: number, mm = 0, dd = 1, hh = 0, mn = 0, ss = 0, ms = 0): number => {
    const date = new Date(0);
    date.setUTCFullYear(yy, mm, dd);
    date.setUTCHours(hh, mn, ss, ms);
    return date.getTime();
  };
  if (mo === undefined) return { lo: start(year), hi: start(year + 1) - 1 };
  if (d === undefined) return { lo: start(year, month - 1), hi: start(year, month) - 1 };
  if (h === undefined) {
    const lo = start(year, month - 1, day);
    return { lo, hi: lo + 86_400_000 - 1 };
  }
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const lo = start(year, month - 1, day, Number(h), Number(mi), Number(s ?? 0), ms) - offset;
  const width = frac !== undefined ? 1 : s !== undefined ? 1000 : 60_000;
  return { lo, hi: lo + width - 1 };
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function zoneOffsetMs(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 14 || minutes > 59) return undefined;
  return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}
