// One rule wherever a Patient enters a node (create, update, batch and transaction, import, the
// adapter to an existing FHIR server — every write goes through this decorator): a BSN identifies
// one person. A Patient whose BSN already belongs to another Patient with a different name or
// birth date is refused with an OperationOutcome naming the conflict — never attached silently to
// the other person's record. The same person arriving again (same BSN, same name and birth date)
// is recognised: a create returns the stored Patient instead of a second one, a transaction's
// entries point at it, and a PUT under a new id is refused as a duplicate naming the stored one.
// Where configured (`patientIdentity: { onConflict: review }`), a conflicting Patient is held for
// review instead (patient-review.ts): 202, and an administrator decides.
// Also `Patient/$match` (FHIR R4 §patient-operation-match): candidates with a match grade.
import type { Bundle, BundleEntry, HumanName, Patient, Resource } from '@medplum/fhirtypes';
import { ProblemError, outcome } from './outcome.ts';
import type { PatientReviewQueue, ReviewDecision } from './patient-review.ts';
import { InvalidBsnError, parseBsn } from './validation/bsn.ts';
import { ForwardingRepository } from './forwarding-repository.ts';
import type { CreateOptions, FhirRepository, UpdateOptions, WriteResult } from './repository/repository.ts';
import { BSN_SYSTEM } from './validation/bsn.ts';

const SEARCH_BASE = 'urn:ketenlog:patient-identity';

/** Lower case, without diacritics or extra spaces: "Vries, dé" and "vries, de" compare equal. */
const normal = (text: string | undefined) =>
  (text ?? '').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();

function familiesOf(names: readonly HumanName[] | undefined): Set<string> {
  return new Set((names ?? []).map((n) => normal(n.family)).filter(Boolean));
}

function givensOf(names: readonly HumanName[] | undefined): Set<string> {
  return new Set((names ?? []).flatMap((n) => (n.given ?? []).map(normal)).filter(Boolean));
}

const intersects = (a: Set<string>, b: Set<string>) => [...a].some((x) => b.has(x));

/**
 * Which identifying fields differ between two Patients: `name` (no family name in common, or no
 * given name in common) and `birthDate`. A field one of them lacks is not a difference.
 */
export function identityDifferences(a: Patient, b: Patient): ('name' | 'birthDate')[] {
  const differences: ('name' | 'birthDate')[] = [];
  const [fa, fb, ga, gb] = [familiesOf(a.name), familiesOf(b.name), givensOf(a.name), givensOf(b.name)];
  if ((fa.size && fb.size && !intersects(fa, fb)) || (ga.size && gb.size && !intersects(ga, gb)))
    differences.push('name');
  if (a.birthDate && b.birthDate && a.birthDate !== b.birthDate) differences.push('birthDate');
  return differences;
}

/** The Patient's BSNs, with where each sits. */
export function bsnsOf(patient: Patient): { bsn: string; at: string }[] {
  return (patient.identifier ?? []).flatMap((identifier, i) =>
    identifier.system === BSN_SYSTEM && identifier.value
      ? [{ bsn: identifier.value, at: `Patient.identifier[${i}]` }]
      : [],
  );
}

type Verdict =
  | { readonly kind: 'new' }
  | { readonly kind: 'same-person'; readonly existing: Patient; readonly bsn: string }
  | { readonly kind: 'conflict'; readonly error: ProblemError; readonly existing: Patient };

const isPatient = (resource: Resource | undefined): resource is Patient =>
  resource?.resourceType === 'Patient';

function conflictError(
  at: string,
  existing: Patient,
  differences: readonly string[],
  where = '',
): ProblemError {
  const fields = differences.map((d) => (d === 'birthDate' ? 'birth date' : d)).join(' and ');
  return new ProblemError(
    409,
    outcome(
      'error',
      'conflict',
      `${where}the BSN in ${at} already belongs to Patient/${existing.id}, whose ${fields} differ${differences.length === 1 ? 's' : ''}; ` +
        'refused, not attached to that record. Check the identifier, or correct the stored Patient first.',
      at,
    ),
  );
}

function duplicateError(at: string, existing: Patient, id: string | undefined, where = ''): ProblemError {
  return new ProblemError(
    409,
    outcome(
      'error',
      'duplicate',
      `${where}Patient/${id} would be a second record of the person already stored as Patient/${existing.id} (same BSN in ${at}, same name and birth date); write to Patient/${existing.id} instead.`,
      at,
    ),
  );
}

export interface PatientIdentityOptions {
  /** Hold conflicting Patients here for review instead of refusing them (`onConflict: review`). */
  readonly reviews?: PatientReviewQueue;
}

/** What deciding a review did: the Patient written, or why it could not be. */
export type ReviewOutcome =
  { readonly ok: true; readonly result?: string } | { readonly ok: false; readonly error: ProblemError };

const reviewError = (status: number, code: 'not-found' | 'conflict' | 'invalid', text: string) =>
  new ProblemError(status, outcome('error', code, text));

export class PatientIdentityRepository extends ForwardingRepository {
  /** Patient writes one at a time in this process, so two arrivals of one BSN cannot both be new. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #reviews: PatientReviewQueue | undefined;

  constructor(inner: FhirRepository, options: PatientIdentityOptions = {}) {
    super(inner);
    this.#reviews = options.reviews;
  }

  /** A conflict: held for review (202, informational) where configured, else refused (409). */
  async #onConflict(patient: Patient, verdict: Verdict & { kind: 'conflict' }): Promise<never> {
    throw this.#reviews ? await this.#hold(this.#reviews, patient, verdict) : verdict.error;
  }

  async #hold(
    reviews: PatientReviewQueue,
    patient: Patient,
    verdict: Verdict & { kind: 'conflict' },
  ): Promise<ProblemError> {
    const reason = verdict.error.message;
    const id = await reviews.hold(patient, `Patient/${verdict.existing.id}`, reason);
    return new ProblemError(
      202,
      outcome(
        'information',
        'informational',
        `Held for review (patient review ${id}), not stored as a Patient: ${reason.replace(/ refused, not attached to that record\..*$/, '')} An administrator of this organisation decides: a new person with a corrected BSN, the same person (merge), or reject.`,
      ),
    );
  }

  /**
   * Carries out an administrator's decision on a held Patient: `new-person` stores it with the
   * corrected `bsn` (refused if that BSN conflicts too), `merge` writes it as the next version of
   * the stored Patient it conflicted with, `reject` stores nothing. The review keeps the Patient.
   */
  async decideReview(id: string, decision: ReviewDecision, by: string, bsn?: string): Promise<ReviewOutcome> {
    const reviews = this.#reviews;
    if (!reviews) return { ok: false, error: reviewError(404, 'not-found', 'no patient reviews here') };
    const review = await reviews.get(id);
    if (!review) return { ok: false, error: reviewError(404, 'not-found', `no patient review ${id}`) };
    if (!(await reviews.claim(id)))
      return {
        ok: false,
        error: reviewError(409, 'conflict', `patient review ${id} is already ${review.status}`),
      };
    try {
      const written = await this.#serial(() =>
        this.#carryOut(review.patient, review.conflictsWith, decision, bsn),
      );
      await reviews.settle(
        id,
        decision === 'reject' ? 'rejected' : decision === 'merge' ? 'merged' : 'new-person',
        by,
        written,
      );
      return written === undefined ? { ok: true } : { ok: true, result: written };
    } catch (error) {
      await reviews.release(id);
      if (error instanceof ProblemError) return { ok: false, error };
      throw error;
    }
  }

  async #carryOut(
    held: Patient,
    conflictsWith: string,
    decision: ReviewDecision,
    bsn: string | undefined,
  ): Promise<string | undefined> {
    if (decision === 'reject') return undefined;
    if (decision === 'merge') {
      const patient = { ...held, id: conflictsWith.replace(/^Patient\//, '') };
      const verdict = await this.#verdict(patient);
      if (verdict.kind === 'conflict') throw verdict.error;
      const { resource } = await this.inner.update(patient);
      return `Patient/${resource.id}`;
    }
    let corrected: string;
    try {
      corrected = parseBsn((bsn ?? '').trim());
    } catch (error) {
      if (error instanceof InvalidBsnError)
        throw reviewError(
          400,
          'invalid',
          'a new person needs her corrected BSN (bsn: 9 digits passing the 11-proef)',
        );
      throw error;
    }
    const old = bsnsOf(held).map((b) => b.bsn);
    if (old.includes(corrected))
      throw reviewError(400, 'invalid', 'the corrected BSN is the one in conflict; give her own BSN');
    const { id: _heldId, meta: _meta, ...rest } = held;
    const patient: Patient = {
      ...rest,
      identifier: (held.identifier ?? []).map((i) =>
        i.system === BSN_SYSTEM && i.value !== undefined && old.includes(i.value)
          ? { ...i, value: corrected }
          : i,
      ),
    };
    const verdict = await this.#verdict(patient);
    if (verdict.kind === 'conflict') throw verdict.error;
    if (verdict.kind === 'same-person') return `Patient/${verdict.existing.id}`;
    const { resource } = await this.inner.create(patient);
    return `Patient/${resource.id}`;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The stored Patients (other than `id`) holding this BSN. */
  async #holders(bsn: string, id: string | undefined): Promise<Patient[]> {
    const found = await this.inner.search({
      resourceType: 'Patient',
      params: [['identifier', `${BSN_SYSTEM}|${bsn}`]],
      baseUrl: SEARCH_BASE,
    });
    return (found.entry ?? [])
      .map((e) => e.resource)
      .filter((r): r is Patient => isPatient(r) && r.id !== id);
  }

  /** How a Patient about to be written relates to the stored ones. */
  async #verdict(patient: Patient, where = ''): Promise<Verdict> {
    let same: { existing: Patient; bsn: string } | undefined;
    for (const { bsn, at } of bsnsOf(patient)) {
      for (const existing of await this.#holders(bsn, patient.id)) {
        const differences = identityDifferences(patient, existing);
        if (differences.length > 0)
          return { kind: 'conflict', error: conflictError(at, existing, differences, where), existing };
        same ??= { existing, bsn };
      }
    }
    return same ? { kind: 'same-person', ...same } : { kind: 'new' };
  }

  async create<T extends Resource>(resource: T, options?: CreateOptions): Promise<WriteResult<T>> {
    if (!isPatient(resource)) return this.inner.create(resource, options);
    return this.#serial(async () => {
      const verdict = await this.#verdict(resource);
      if (verdict.kind === 'conflict') return this.#onConflict(resource, verdict);
      if (verdict.kind === 'same-person')
        return { resource: verdict.existing as unknown as T, created: false };
      return this.inner.create(resource, options);
    });
  }

  async update<T extends Resource>(resource: T, options?: UpdateOptions): Promise<WriteResult<T>> {
    if (!isPatient(resource)) return this.inner.update(resource, options);
    return this.#serial(async () => {
      const verdict = await this.#verdict(resource);
      if (verdict.kind === 'conflict') return this.#onConflict(resource, verdict);
      if (verdict.kind === 'same-person')
        throw duplicateError(bsnsOf(resource)[0]!.at, verdict.existing, resource.id);
      return this.inner.update(resource, options);
    });
  }

  async processBundle(bundle: Bundle, baseUrl: string): Promise<Bundle> {
    const entries = bundle?.entry ?? [];
    const writesPatient = (e: BundleEntry) =>
      isPatient(e.resource) && (e.request?.method === 'POST' || e.request?.method === 'PUT');
    if (bundle?.resourceType !== 'Bundle' || !entries.some(writesPatient))
      return this.inner.processBundle(bundle, baseUrl);
    return this.#serial(async () => {
      const failures = new Map<number, ProblemError>();
      const rewritten = [...entries];
      /** Patients earlier in this bundle, by BSN: two people under one BSN in one bundle conflict too. */
      const inBundle = new Map<string, { index: number; patient: Patient }>();
      for (const [index, entry] of entries.entries()) {
        if (!writesPatient(entry)) continue;
        const patient = entry.resource as Patient;
        const where = `Bundle.entry[${index}]: `;
        const fail = (error: ProblemError) => {
          if (bundle.type === 'transaction') throw error;
          failures.set(index, error);
        };
        let failed = false;
        for (const { bsn, at } of bsnsOf(patient)) {
          const earlier = inBundle.get(bsn);
          if (earlier && identityDifferences(patient, earlier.patient).length > 0) {
            fail(
              new ProblemError(
                409,
                outcome(
                  'error',
                  'conflict',
                  `${where}the BSN in ${at} is also in Bundle.entry[${earlier.index}], a Patient with another name or birth date; refused.`,
                  at,
                ),
              ),
            );
            failed = true;
            break;
          }
          inBundle.set(bsn, { index, patient });
        }
        if (failed) continue;
        const verdict = await this.#verdict(patient, where);
        // A transaction is all or nothing: its conflicting Patient is refused, never held.
        if (verdict.kind === 'conflict')
          fail(
            this.#reviews && bundle.type !== 'transaction'
              ? await this.#hold(this.#reviews, patient, verdict)
              : verdict.error,
          );
        else if (verdict.kind === 'same-person' && entry.request?.method === 'PUT')
          fail(duplicateError(bsnsOf(patient)[0]!.at, verdict.existing, patient.id, where));
        else if (verdict.kind === 'same-person')
          // A conditional create (If-None-Exist) resolves the entry, and references to its
          // fullUrl, to the stored Patient.
          rewritten[index] = {
            ...entry,
            request: { ...entry.request!, ifNoneExist: `identifier=${BSN_SYSTEM}|${verdict.bsn}` },
          };
      }
      if (failures.size === 0) return this.inner.processBundle({ ...bundle, entry: rewritten }, baseUrl);
      // A batch: the refused entries answer for themselves, the others go through.
      const kept = rewritten.map((_, i) => i).filter((i) => !failures.has(i));
      const result = kept.length
        ? await this.inner.processBundle({ ...bundle, entry: kept.map((i) => rewritten[i]!) }, baseUrl)
        : { resourceType: 'Bundle' as const, type: 'batch-response' as const, entry: [] };
      const answers: BundleEntry[] = new Array(entries.length);
      kept.forEach((i, k) => (answers[i] = result.entry?.[k] ?? {}));
      for (const [i, error] of failures)
        answers[i] = { response: { status: String(error.status), outcome: error.outcome } };
      return { ...result, entry: answers };
    });
  }
}

const MATCH_GRADE = 'http://hl7.org/fhir/StructureDefinition/match-grade';

/**
 * FHIR `Patient/$match`: the stored Patients that may be the one described, best first, each with
 * a score and a match grade — `certain` for the same BSN with no differing name or birth date,
 * `certainly-not` for the same BSN with differences (a conflict to resolve), `probable` for the
 * same family name and birth date, `possible` for the same family name and given name.
 */
export async function matchPatients(
  repository: FhirRepository,
  patient: Patient,
  baseUrl: string,
  options: { readonly count?: number; readonly onlyCertainMatches?: boolean } = {},
): Promise<Bundle> {
  const found = new Map<string, { patient: Patient; score: number; grade: string }>();
  const consider = (candidate: Patient, score: number, grade: string) => {
    const known = found.get(candidate.id!);
    if (!known || known.score < score) found.set(candidate.id!, { patient: candidate, score, grade });
  };
  const search = async (params: [string, string][]) =>
    (
      (await repository.search({ resourceType: 'Patient', params: [...params, ['_count', '50']], baseUrl }))
        .entry ?? []
    )
      .map((e) => e.resource)
      .filter(isPatient);
  for (const { bsn } of bsnsOf(patient))
    for (const candidate of await search([['identifier', `${BSN_SYSTEM}|${bsn}`]])) {
      const same = identityDifferences(patient, candidate).length === 0;
      consider(candidate, same ? 1 : 0.1, same ? 'certain' : 'certainly-not');
    }
  const families = [...familiesOf(patient.name)];
  const givens = givensOf(patient.name);
  for (const family of families) {
    const params: [string, string][] = [['family', family]];
    if (patient.birthDate) params.push(['birthdate', patient.birthDate]);
    for (const candidate of await search(params)) {
      if (bsnsOf(candidate).length && bsnsOf(patient).length) continue; // judged by BSN above
      const given = givens.size > 0 && intersects(givens, givensOf(candidate.name));
      if (patient.birthDate) consider(candidate, given ? 0.8 : 0.6, 'probable');
      else if (given) consider(candidate, 0.4, 'possible');
    }
  }
  const ranked = [...found.values()]
    .filter((m) => !options.onlyCertainMatches || m.grade === 'certain')
    .sort((a, b) => b.score - a.score)
    .slice(0, options.count ?? 10);
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: ranked.length,
    entry: ranked.map((m) => ({
      fullUrl: `${baseUrl}/Patient/${m.patient.id}`,
      resource: m.patient,
      search: {
        mode: 'match',
        score: m.score,
        extension: [{ url: MATCH_GRADE, valueCode: m.grade }],
      },
    })),
  };
}
