// Dates, times, numbers and plurals the Dutch way (Intl, nl-NL; en-GB in English mode): every
// date and time the portal shows goes through here, never an ISO string sliced for the screen.
import type { Lang } from './i18n.ts';

let current: Lang = 'nl';
/** The language the formatters follow (set by the app when the user switches). */
export function setFormatLang(lang: Lang): void {
  current = lang;
}
const locale = (): string => (current === 'nl' ? 'nl-NL' : 'en-GB');
const ZONE = 'Europe/Amsterdam';

// Making an Intl formatter costs far more than using one (a timeline formats 1,000 dates): one per
// language and style, made on first use.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(style: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale()} ${style}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale(), { timeZone: ZONE, ...options });
    dateFormats.set(key, format);
  }
  return format;
}

/** A date-only value ("2026-12-07") is a calendar day, not an instant: no time zone shift. */
const isDay = (value: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(value);
const parse = (value: string | number | Date): Date | undefined => {
  const d =
    value instanceof Date
      ? value
      : typeof value === 'number'
        ? new Date(value)
        : new Date(isDay(value) ? `${value}T12:00:00Z` : value);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

/** "7 december 2026" (long) or "07-12-2026" (short, for tables and phones). */
export function formatDate(
  value: string | number | Date | undefined,
  style: 'long' | 'short' = 'long',
): string {
  if (value === undefined || value === '') return '—';
  const d = parse(value);
  if (!d) return String(value);
  return dateFormat(
    style,
    style === 'long'
      ? { day: 'numeric', month: 'long', year: 'numeric' }
      : { day: '2-digit', month: '2-digit', year: 'numeric' },
  ).format(d);
}

/** "7 december 2026 14:05" (24-hour clock); a date-only value stays a date. */
export function formatDateTime(value: string | number | Date | undefined): string {
  if (value === undefined || value === '') return '—';
  if (typeof value === 'string' && isDay(value)) return formatDate(value);
  const d = parse(value);
  if (!d) return String(value);
  return dateFormat('datetime', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}

/** "14:05" (24-hour clock). */
export function formatTime(value: string | number | Date): string {
  const d = parse(value);
  if (!d) return String(value);
  return dateFormat('time', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
}

/** "7,4" — decimal comma in Dutch; `digits` fixes the fraction digits. */
const numberFormats = new Map<string, Intl.NumberFormat>();
export function formatNumber(value: number, digits?: number): string {
  const key = `${locale()} ${digits ?? ''}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale(), {
      ...(digits !== undefined ? { minimumFractionDigits: digits, maximumFractionDigits: digits } : {}),
    });
    numberFormats.set(key, format);
  }
  return format.format(value);
}

/** "€ 1.234,50". */
export function formatEuro(value: number): string {
  return new Intl.NumberFormat(locale(), { style: 'currency', currency: 'EUR' }).format(value);
}

/** "1 soort gegevens" / "2 soorten gegevens": `forms` is [one, other]. */
export function plural(count: number, forms: readonly [string, string]): string {
  const rule = new Intl.PluralRules(locale()).select(count);
  return `${formatNumber(count)} ${rule === 'one' ? forms[0] : forms[1]}`;
}

/** Whole years between a birth date and `now` (a patient banner's age). */
export function ageOf(birthDate: string | undefined, now = new Date()): number | undefined {
  const d = birthDate ? parse(birthDate) : undefined;
  if (!d) return undefined;
  let age = now.getUTCFullYear() - d.getUTCFullYear();
  const m = now.getUTCMonth() - d.getUTCMonth();
  if (m < 0 || (m === 0 && now.getUTCDate() < d.getUTCDate())) age--;
  return age;
}

/** Today as "YYYY-MM-DD" in the Netherlands (date inputs, care periods). */
export function todayIso(now = new Date()): string {
  return now.toLocaleDateString('sv-SE', { timeZone: ZONE });
}

/** "2026-12-07" shifted by whole days. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A CSV that opens correctly in Dutch Excel: semicolons, quoted fields, a BOM for UTF-8. */
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  const field = (v: string | number): string => {
    if (typeof v === 'number') return formatNumber(v);
    // A text that starts like a formula stays text in Excel (OWASP CSV injection).
    const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[";\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `\uFEFF${rows.map((r) => r.map(field).join(';')).join('\r\n')}\r\n`;
}

/** Saves text as a file in the browser. */
export function saveFile(name: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}
