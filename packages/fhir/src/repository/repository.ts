import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';

/** A parsed search request: the resource type and the raw query parameters (name -> values). */
export interface SearchRequest {
  /** The type searched; '' for a search at system level (`GET [base]?…`, types from `_type`). */
  resourceType: string;
  /** Compartment search (`GET Patient/{id}/Observation`): only resources in that compartment. */
  compartment?: { type: string; id: string };
  /** `Prefer: handling=lenient` (R4 §3.1.1.0): unknown or unsupported parameters are ignored, not refused. */
  lenient?: boolean;
  /** Query parameters in order, as received (e.g. [['name', 'Jan'], ['_count', '10']]). */
  params: ReadonlyArray<readonly [string, string]>;
  /** Absolute base URL used to build paging links and fullUrls, e.g. http://127.0.0.1:8080/fhir */
  baseUrl: string;
}

export interface CreateOptions {
  /** `If-None-Exist` query string (without leading `?`): conditional create. */
  ifNoneExist?: string;
}

export interface UpdateOptions {
  /** Version id from `If-Match` (W/"3" -> "3"). */
  ifMatch?: string;
  /** `If-None-Match: *`: only create; 412 when the resource exists. */
  ifNoneMatch?: boolean;
}

export interface WriteResult<T extends Resource = Resource> {
  resource: T;
  /**
   * true when a new resource or version was created; false for a conditional create that matched
   * and for an update that changed nothing (no new version, R4 §3.1.0.4).
   */
  created: boolean;
}

/**
 * The FHIR data at one organisation (layer 1). Implemented on the node's own database
 * (`SqlFhirRepository`) or by an adapter over an existing FHIR server (`RemoteFhirRepository`).
 * Every method throws `ProblemError` (with an OperationOutcome) for a problem a caller caused.
 */
export interface FhirRepository {
  create<T extends Resource>(resource: T, options?: CreateOptions): Promise<WriteResult<T>>;
  read<T extends Resource = Resource>(resourceType: string, id: string): Promise<T>;
  vread<T extends Resource = Resource>(resourceType: string, id: string, versionId: string): Promise<T>;
  /** Update, or create with a client-chosen id (update-as-create). */
  update<T extends Resource>(resource: T, options?: UpdateOptions): Promise<WriteResult<T>>;
  delete(resourceType: string, id: string): Promise<void>;
  /** Removes a resource and all its versions: no history is left (erasure). */
  expunge(resourceType: string, id: string): Promise<void>;
  /** History of one resource (type and id), of a type (id undefined) or of the whole store (both undefined). */
  history(
    resourceType: string | undefined,
    id: string | undefined,
    params: SearchRequest['params'],
    baseUrl: string,
  ): Promise<Bundle>;
  search(request: SearchRequest): Promise<Bundle>;
  /** Batch or transaction bundle (transaction: atomic, urn:uuid references resolved). */
  processBundle(bundle: Bundle, baseUrl: string): Promise<Bundle>;
  /** `Patient/$everything` with its R4 parameters (start, end, _since, _type, _count, _offset). */
  everything(patientId: string, baseUrl: string, params?: SearchRequest['params']): Promise<Bundle>;
}

export type { OperationOutcome };
