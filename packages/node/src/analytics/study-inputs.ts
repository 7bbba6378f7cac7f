// Each party's inputs to the IBD-coach study, read from its own FHIR store ("registratie aan de
// bron"): its own records by region pseudonym (through the RSO's pseudonym service), which the
// parties link by private set intersection; a client who objected to research never enters. The
// node's implementation of analytics' `StudyInputs`.
import { randomBytes } from 'node:crypto';
import type { Bundle, Claim, Condition, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { BSN_SYSTEM, type FhirRepository } from '@ketenlog/fhir';
import {
  hospitalColumns,
  insurerColumns,
  statisticsColumns,
  type HospitalRow,
  type InsurerRow,
  type PartyInputs,
  type StatisticsRow,
  type StudyInputs,
  type StudyRole,
} from '@ketenlog/analytics';
import { effectiveConsent, type RegionState } from '@ketenlog/region';
import { problem } from '@ketenlog/problem';

/** Codes of the study's local observations (the demo seed writes them). */
export const ANALYTICS_CODES = 'http://ketenlog.example/fhir/CodeSystem/analytics';
export const IBD_COACH_USE = 'ibd-coach-use';
export const INCOME_QUINTILE = 'income-quintile';
/** A claim item for GP consultations (its quantity: the number of visits). */
export const GP_CONSULT = 'gp-consult';
const IBD_CODES = new Set(['34000006', '64766004']); // SNOMED: Crohn, colitis ulcerosa

/** The consent request a research computation makes of each client (opt-out: an objection wins). */
export const RESEARCH_REQUEST = { category: 'analysis', purpose: 'research' } as const;

async function searchAll<T extends Resource>(
  repository: FhirRepository,
  baseUrl: string,
  resourceType: T['resourceType'],
): Promise<T[]> {
  const out: T[] = [];
  let params: [string, string][] = [['_count', '1000']];
  for (;;) {
    const page: Bundle = await repository.search({ resourceType, params, baseUrl });
    for (const e of page.entry ?? []) if (e.resource) out.push(e.resource as T);
    const next = page.link?.find((l) => l.relation === 'next')?.url;
    if (!next) return out;
    params = [...new URL(next).searchParams.entries()];
  }
}

const patientId = (ref: string | undefined): string | undefined => /^Patient\/(.+)$/.exec(ref ?? '')?.[1];

export interface StudyInputSource {
  readonly repository: FhirRepository;
  readonly baseUrl: string;
  readonly state: RegionState;
  /** this organisation as `ura:<URA>` (the consent grantee) */
  readonly self: string;
  readonly pseudonymOf: (bsn: string) => Promise<string>;
}

/** Patient id → pseudonym, for patients with a BSN. */
async function pseudonymsOfPatients(s: StudyInputSource): Promise<Map<string, string>> {
  const patients = await searchAll<Patient>(s.repository, s.baseUrl, 'Patient');
  const out = new Map<string, string>();
  const queue = patients.filter((p) => p.id);
  // a few requests at a time to the pseudonym service
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const bsn = p.identifier?.find((i) => i.system === BSN_SYSTEM)?.value;
        if (bsn) out.set(p.id!, await s.pseudonymOf(bsn));
      }
    }),
  );
  return out;
}

/** The consented rows, padded; records of clients who objected are left out and counted. */
function ownList<R>(
  s: StudyInputSource,
  rows: ReadonlyMap<string, R>,
  columnsOf: (rows: readonly (R | undefined)[]) => bigint[][],
  padTo: number,
): PartyInputs {
  const pseudonyms: string[] = [];
  const kept: (R | undefined)[] = [];
  let leftOut = 0;
  for (const [pseudonym, row] of rows) {
    const objected =
      effectiveConsent(s.state.consents, pseudonym, { grantee: s.self, ...RESEARCH_REQUEST }).decision ===
      'objection';
    if (objected) {
      leftOut++;
      continue;
    }
    pseudonyms.push(pseudonym);
    kept.push(row);
  }
  while (pseudonyms.length < padTo) {
    pseudonyms.push(`dummy:${randomBytes(18).toString('base64url')}`);
    kept.push(undefined);
  }
  return { own: { pseudonyms, columns: columnsOf(kept) }, leftOut };
}

export async function studyInputs(
  role: StudyRole,
  s: StudyInputSource,
  domainSize: number,
): Promise<PartyInputs> {
  const pseudonyms = await pseudonymsOfPatients(s);
  const byPseudonym = <R>(perPatient: Map<string, R>): Map<string, R> =>
    new Map(
      [...perPatient].flatMap(([id, row]) => {
        const p = pseudonyms.get(id);
        return p ? [[p, row] as const] : [];
      }),
    );
  if (role === 'hospital') {
    const ibd = new Set(
      (await searchAll<Condition>(s.repository, s.baseUrl, 'Condition'))
        .filter((c) => c.code?.coding?.some((x) => x.code !== undefined && IBD_CODES.has(x.code)))
        .flatMap((c) => patientId(c.subject?.reference) ?? []),
    );
    const app = new Set(
      (await searchAll<Observation>(s.repository, s.baseUrl, 'Observation'))
        .filter((o) => o.code.coding?.some((x) => x.system === ANALYTICS_CODES && x.code === IBD_COACH_USE))
        .filter((o) => o.valueBoolean === true)
        .flatMap((o) => patientId(o.subject?.reference) ?? []),
    );
    const rows = new Map<string, HospitalRow>(
      [...ibd].map((id) => [id, { ibd: true, appUser: app.has(id) }]),
    );
    return ownList(s, byPseudonym(rows), hospitalColumns, domainSize);
  }
  if (role === 'insurer') {
    const cost = new Map<string, number>();
    const gpVisits = new Map<string, number>();
    for (const claim of await searchAll<Claim>(s.repository, s.baseUrl, 'Claim')) {
      const id = patientId(claim.patient.reference);
      if (!id) continue;
      cost.set(id, (cost.get(id) ?? 0) + (claim.total?.value ?? 0));
      const visits = (claim.item ?? [])
        .filter((i) =>
          i.productOrService.coding?.some((c) => c.system === ANALYTICS_CODES && c.code === GP_CONSULT),
        )
        .reduce((n, i) => n + (i.quantity?.value ?? 1), 0);
      if (visits) gpVisits.set(id, (gpVisits.get(id) ?? 0) + visits);
    }
    const rows = new Map<string, InsurerRow>(
      [...cost].map(([id, eur]) => [id, { costEur: Math.round(eur), gpVisits: gpVisits.get(id) ?? 0 }]),
    );
    return ownList(s, byPseudonym(rows), insurerColumns, domainSize);
  }
  const rows = new Map<string, StatisticsRow>();
  for (const o of await searchAll<Observation>(s.repository, s.baseUrl, 'Observation')) {
    const q = o.valueInteger;
    const id = patientId(o.subject?.reference);
    const isQuintile = o.code.coding?.some((x) => x.system === ANALYTICS_CODES && x.code === INCOME_QUINTILE);
    if (id && isQuintile && q !== undefined && q >= 1 && q <= 5)
      rows.set(id, { incomeQuintile: q as 1 | 2 | 3 | 4 | 5 });
  }
  return ownList(s, byPseudonym(rows), statisticsColumns, domainSize);
}

/**
 * The node's study inputs: its FHIR store (`baseUrl` its /fhir base) and the region's state at the
 * moment of reading, by the pseudonyms of the region's pseudonym service (none: a 409).
 */
export function storeStudyInputs(source: {
  readonly repository: FhirRepository;
  readonly baseUrl: string;
  readonly self: string;
  readonly state: () => RegionState;
  readonly pseudonymOf?: (bsn: string) => Promise<string>;
}): StudyInputs {
  return {
    read: async (role, padTo) => {
      const { pseudonymOf } = source;
      if (!pseudonymOf) throw problem(409, 'conflict', 'the region has no pseudonym service');
      return studyInputs(role, { ...source, state: source.state(), pseudonymOf }, padTo);
    },
  };
}
