// CSV exports for the care administration and the insurer: RFC 4180 (CRLF line ends, fields with
// a quote, comma or line break quoted, quotes doubled), Dutch headers, and no formula injection
// (a cell a spreadsheet would evaluate starts with an apostrophe).
import type { Declaration } from './care-file.ts';
import { ACTIVITY_LABELS } from './care-protocol.ts';
import type { EntryView } from './carelog-service.ts';
import { STATUS_LABELS } from './entry-status.ts';

type Cell = string | number | undefined;

function cell(value: Cell): string {
  let text = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value !== 'number') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 text: a header line and one line per row, each ending in CRLF. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((row) => `${row.map(cell).join(',')}\r\n`).join('');
}

const hours = (minutes: number) => (minutes / 60).toFixed(2).replace('.', ',');

export const ENTRY_HEADER = [
  'Datum',
  'Begintijd',
  'Eindtijd',
  'Minuten',
  'Uren',
  'Activiteiten',
  'Kraamverzorgende',
  'Cliënt (pseudoniem)',
  'Indicatie',
  'Status',
  'Reden afwijzing',
  'Vervangt regel',
  'Vervangen door',
  'Declaratie',
  'Regel (hash)',
] as const;

export function entriesCsv(entries: readonly EntryView[]): string {
  return toCsv(
    ENTRY_HEADER,
    entries.map((e) => [
      e.date,
      e.start,
      e.end,
      e.minutes,
      hours(e.minutes),
      e.activities.map((a) => ACTIVITY_LABELS[a] ?? a).join('; '),
      e.carer ?? e.author,
      e.subject,
      e.indication,
      STATUS_LABELS[e.status],
      e.reason,
      e.supersedes,
      e.supersededBy,
      e.declaration,
      e.hash,
    ]),
  );
}

export const DECLARATION_HEADER = [
  'Declaratie',
  'Zorgverzekeraar',
  'Cliënt (pseudoniem)',
  'Indicatie',
  'Aantal regels',
  'Minuten',
  'Uren',
  'Aangemaakt',
  'Betaalstatus',
] as const;

export function declarationsCsv(declarations: readonly Declaration[]): string {
  return toCsv(
    DECLARATION_HEADER,
    declarations.map((d) => [
      d.id,
      d.insurer,
      d.subject,
      d.indication,
      d.entries.length,
      d.minutes,
      hours(d.minutes),
      d.created,
      d.paymentStatus,
    ]),
  );
}
