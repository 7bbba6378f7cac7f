// The Landelijk Indicatieprotocol Kraamzorg (LIP) as numbers: packages, the hours each allows, the
// care period after birth, and the activity categories a carer logs against.

export const MINIMUM_HOURS = 24;
export const MAXIMUM_HOURS = 80;
export const MINIMUM_DAYS = 8;
export const MAXIMUM_DAYS = 10;

/** LIP packages: minimum, basic (hours depend on feeding), and tailored (maatwerk, up to 80 h). */
export const CARE_PACKAGES = ['minimum', 'basis-kunstvoeding', 'basis-borstvoeding', 'maatwerk'] as const;
export type CarePackage = (typeof CARE_PACKAGES)[number];

/** Hours of the fixed packages; maatwerk takes its hours from the indication (24..80). */
export const PACKAGE_HOURS: Readonly<Record<Exclude<CarePackage, 'maatwerk'>, number>> = {
  minimum: 24,
  'basis-kunstvoeding': 45,
  'basis-borstvoeding': 49,
};

export const PACKAGE_LABELS: Readonly<Record<CarePackage, string>> = {
  minimum: 'Minimaal pakket',
  'basis-kunstvoeding': 'Basispakket (kunstvoeding)',
  'basis-borstvoeding': 'Basispakket (borstvoeding)',
  maatwerk: 'Maatwerk',
};

/** LIP activity categories a visit is logged under (codes on the log, Dutch labels for people). */
export const ACTIVITY_LABELS: Readonly<Record<string, string>> = {
  'zorg-moeder': 'Zorg voor de moeder',
  'zorg-kind': 'Zorg voor de pasgeborene',
  voeding: 'Ondersteuning bij voeding',
  voorlichting: 'Voorlichting en instructie',
  observatie: 'Observatie en signalering',
  huishouden: 'Huishoudelijke taken',
  partusassistentie: 'Partusassistentie',
};

export const isActivity = (code: string): boolean => Object.hasOwn(ACTIVITY_LABELS, code);

export interface CarePeriod {
  /** First day (the day of birth), YYYY-MM-DD. */
  readonly from: string;
  /** Last day, inclusive. */
  readonly to: string;
}

/** The care period: `days` days starting on the day of birth. */
export function carePeriodOf(birthDate: string, days: number): CarePeriod {
  const start = Date.parse(`${birthDate}T00:00:00Z`);
  const last = new Date(start + (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from: birthDate, to: last };
}

export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed) && new Date(parsed).toISOString().slice(0, 10) === text;
}

export function minutesOfTime(time: string): number {
  // A malformed time gives NaN, as Number() does.
  const [hours = NaN, minutes = NaN] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

/** "12 u 30 m" style Dutch rendering of minutes, for messages. */
export function formatHours(minutes: number): string {
  const sign = minutes < 0 ? '-' : '';
  const abs = Math.abs(minutes);
  const h = Math.floor(abs / 60);
  const m = abs % 60;
  return m === 0 ? `${sign}${h} uur` : `${sign}${h} uur en ${m} minuten`;
}
