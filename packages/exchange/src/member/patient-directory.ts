// Which local Patient a region pseudonym stands for, and back: a holder is asked about a client
// by her pseudonym only (never her BSN), and its PDP needs the pseudonym of the Patient a FHIR
// answer is about. Pseudonyms come from the region's pseudonym service over the Patient's BSN;
// both directions are kept in memory for the process. Patients written since the node started are
// noted as the localisation index publishes them; an unknown pseudonym triggers one scan of the
// local Patients (at most once per `rescanMs`).
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { BSN_SYSTEM, type FhirRepository } from '@ketenlog/fhir';
import type { PseudonymClient } from '../pseudonym/pseudonym-client.ts';

export interface PatientDirectoryOptions {
  readonly repository: FhirRepository;
  readonly pseudonyms: PseudonymClient;
  readonly rescanMs?: number;
  readonly now?: () => number;
}

const SCAN_PAGE = 500;

export class PatientDirectory {
  readonly #options: PatientDirectoryOptions;
  readonly #byPatient = new Map<string, Promise<string | undefined>>();
  readonly #byPseudonym = new Map<string, Set<string>>();
  #lastScan = -Infinity;
  #scanning: Promise<void> | undefined;

  constructor(options: PatientDirectoryOptions) {
    this.#options = options;
  }

  /** The region pseudonym of a local Patient; undefined when she has no (valid) BSN here. */
  pseudonymOf(patientId: string): Promise<string | undefined> {
    let known = this.#byPatient.get(patientId);
    if (!known) {
      known = this.#resolve(patientId);
      this.#byPatient.set(patientId, known);
      // A failed lookup (service down) is not remembered.
      known.catch(() => this.#byPatient.delete(patientId));
    }
    return known;
  }

  /**
   * The local Patients with this pseudonym (usually one; none when this node holds nothing).
   * `complete` scans the store now whatever is known (erasure: a Patient written since the last
   * scan and not yet resolved must not be missed).
   */
  async patientsOf(pseudonym: string, options: { readonly complete?: boolean } = {}): Promise<string[]> {
    const known = this.#byPseudonym.get(pseudonym);
    if (known?.size && !options.complete) return [...known];
    const now = (this.#options.now ?? Date.now)();
    if (options.complete) {
      // A scan of its own, after any in flight, that fails when a Patient could not be resolved.
      await this.#scanning?.catch(() => {});
      const scan = this.#scan();
      this.#scanning = scan.then(
        () => {},
        () => {},
      );
      this.#lastScan = now;
      const unresolved = await scan.finally(() => (this.#scanning = undefined));
      if (unresolved) throw new Error(`${unresolved} local Patients could not be resolved to a pseudonym`);
    } else {
      if (now - this.#lastScan >= (this.#options.rescanMs ?? 30_000)) {
        this.#lastScan = now;
        this.#scanning ??= this.#scan()
          .then(() => {})
          .finally(() => (this.#scanning = undefined));
      }
      await this.#scanning;
    }
    return [...(this.#byPseudonym.get(pseudonym) ?? [])];
  }

  /** Forgets a local Patient (erased): her pseudonym is looked up afresh if she comes back. */
  forget(patientId: string): void {
    this.#byPatient.delete(patientId);
    for (const [pseudonym, patients] of this.#byPseudonym) {
      patients.delete(patientId);
      if (!patients.size) this.#byPseudonym.delete(pseudonym);
    }
  }

  async #resolve(patientId: string, known?: Patient): Promise<string | undefined> {
    const patient =
      known ?? (await this.#options.repository.read<Patient>('Patient', patientId).catch(() => undefined));
    const bsn = patient?.identifier?.find((i) => i.system === BSN_SYSTEM)?.value;
    if (!bsn) return undefined;
    const pseudonym = await this.#options.pseudonyms.pseudonymOf(bsn);
    const set = this.#byPseudonym.get(pseudonym) ?? new Set<string>();
    set.add(patientId);
    this.#byPseudonym.set(pseudonym, set);
    return pseudonym;
  }

  /** Resolves every local Patient not known yet; the number whose lookup failed. */
  async #scan(): Promise<number> {
    let unresolved = 0;
    let params: [string, string][] = [['_count', String(SCAN_PAGE)]];
    for (;;) {
      const page: Bundle = await this.#options.repository.search({
        resourceType: 'Patient',
        params,
        baseUrl: 'http://local/fhir',
      });
      const patients = (page.entry ?? []).flatMap((e) =>
        e.resource?.resourceType === 'Patient' && e.resource.id ? [e.resource as Patient] : [],
      );
      await Promise.all(
        patients
          .filter((p) => !this.#byPatient.has(p.id!))
          .map((p) => {
            const resolved = this.#resolve(p.id!, p);
            this.#byPatient.set(p.id!, resolved);
            return resolved.catch(() => {
              this.#byPatient.delete(p.id!);
              unresolved++;
            });
          }),
      );
      const next = page.link?.find((l) => l.relation === 'next')?.url;
      if (!next) return unresolved;
      params = [...new URL(next).searchParams.entries()];
    }
  }
}
