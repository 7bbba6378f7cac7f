// The demo region's synthetic population: deterministic clients with valid test BSNs (999 range,
// 11-proef), the first of whom is Maria de Vries, the demo identity of the Demo-DigiD stand-in.
// Each client is a mother in maternity care, a patient with inflammatory bowel disease, or both;
// which organisations hold her data follows from that. Nothing here is a real person.
import { isValidBsn } from '@ketenlog/fhir';

export interface DemoClient {
  /** Stable index, 0-based. */
  readonly n: number;
  readonly bsn: string;
  readonly given: string;
  readonly family: string;
  readonly birthDate: string;
  readonly gender: 'female' | 'male';
  /** Pregnant in 2026, with maternity care after the birth. */
  readonly mother: boolean;
  /** Crohn's disease or ulcerative colitis, treated at the hospital. */
  readonly ibd?: 'crohn' | 'colitis';
  /** Which of the region's maternity-care organisations cares for her (0, 1 or 2). */
  readonly kraamzorg: number;
  /** Due date, for mothers. */
  readonly dueDate?: string;
  /**
   * One of the research cohort (researchCohort): an IBD patient known only to the hospital, the
   * insurer and the statistics office, with no more records than the study reads.
   */
  readonly cohort?: true;
}

/** The demo client the Demo-DigiD stand-in logs in as (see packages/auth demo-persons.ts). */
export const MARIA_BSN = '999990019';

/**
 * Test BSNs public example sets give to their own persons — the Nictiz nl-core R4 examples'
 * (999911120 for the resuscitation directive's patient) — which the demo never uses, so importing those examples into a
 * demo node adds their persons instead of colliding with a demo client.
 */
export const RESERVED_BSNS: ReadonlySet<string> = new Set(['999911120', '111222333']);

const FAMILY = [
  'de Vries',
  'Jansen',
  'van den Berg',
  'Bakker',
  'Visser',
  'Smit',
  'Meijer',
  'de Boer',
  'Mulder',
  'Bos',
];
const GIVEN_F = [
  'Maria',
  'Sanne',
  'Fleur',
  'Eva',
  'Lotte',
  'Fatima',
  'Noor',
  'Julia',
  'Emma',
  'Sophie',
  'Anouk',
  'Yara',
];
const GIVEN_M = ['Daan', 'Sem', 'Milan', 'Luuk', 'Bram', 'Mohammed'];

/** The name at position `i`, wrapping round the (non-empty) list. */
function cycle(list: readonly string[], i: number): string {
  const name = list[i % list.length];
  if (name === undefined) throw new Error('demo population: an empty name list');
  return name;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Test BSNs from the 999 range that pass the 11-proef, from `from` on (Maria's first by default). */
function bsns(count: number, from = 999_900_000): string[] {
  const out = from === 999_900_000 ? [MARIA_BSN] : [];
  for (let n = from; out.length < count && n < 999_999_999; n++) {
    const s = String(n);
    if (s !== MARIA_BSN && !RESERVED_BSNS.has(s) && isValidBsn(s)) out.push(s);
  }
  return out;
}

/**
 * `count` clients: about two in three are mothers, one in four has IBD (some mothers too), so the
 * data spreads over maternity care, midwifery, GP, hospital, pharmacy and insurer.
 */
export function demoPopulation(count = 40): DemoClient[] {
  return bsns(count).map((bsn, n) => {
    const mother = n % 3 !== 2;
    const ibd = n % 4 === 1 ? 'crohn' : n % 8 === 3 ? 'colitis' : undefined;
    const gender = mother || n % 2 === 0 ? 'female' : 'male';
    const given = gender === 'female' ? cycle(GIVEN_F, n) : cycle(GIVEN_M, n);
    return {
      n,
      bsn,
      given: n === 0 ? 'Maria' : given,
      family: cycle(FAMILY, n),
      birthDate: `${1986 + (n % 14)}-${pad(1 + (n % 12))}-${pad(1 + (n % 27))}`,
      gender,
      mother,
      ...(ibd ? { ibd } : {}),
      kraamzorg: Math.floor(n / 3) % 3,
      ...(mother ? { dueDate: `2026-${pad(7 + (n % 5))}-${pad(1 + (n % 28))}` } : {}),
    };
  });
}

/** Where the research cohort's BSNs start: above the first 8,000 test BSNs, the demo population's. */
const COHORT_BSNS_FROM = 999_990_000;
/** Its indices (and so its FHIR ids, client-<n + 1>) start here, clear of the demo population's. */
const COHORT_N_FROM = 100_000;

/** The demo's research cohort: enough IBD patients that every cell of the IBD-coach study is released. */
export const DEMO_COHORT = 400;

/**
 * `count` IBD patients for the IBD-coach study (issue 17): not mothers, so only the hospital, the
 * insurer and the statistics office hold their records; half of them over 40.
 */
export function researchCohort(count = DEMO_COHORT): DemoClient[] {
  return bsns(count, COHORT_BSNS_FROM).map((bsn, k) => {
    const n = COHORT_N_FROM + k;
    const gender = k % 2 === 0 ? 'female' : 'male';
    return {
      n,
      bsn,
      given: gender === 'female' ? cycle(GIVEN_F, k * 5) : cycle(GIVEN_M, k * 5),
      family: cycle(FAMILY, k * 3),
      birthDate: `${1960 + (k % 40)}-${pad(1 + (k % 12))}-${pad(1 + (k % 27))}`,
      gender,
      mother: false,
      ibd: k % 3 === 0 ? 'colitis' : 'crohn',
      kraamzorg: 0,
      cohort: true,
    };
  });
}
