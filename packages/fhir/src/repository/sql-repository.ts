import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Db } from '@ketenlog/storage';
import { processBundle } from '../bundle/process-bundle.ts';
import { patientEverything } from './everything.ts';
import { readHistory } from './history.ts';
import { assertResource } from './identity.ts';
import type {
  CreateOptions,
  FhirRepository,
  SearchRequest,
  UpdateOptions,
  WriteResult,
} from './repository.ts';
import { ResourceStore } from './resource-store.ts';
import { FHIR_SCHEMA } from './schema.ts';
import type { SearchIndex } from './search-index.ts';

/**
 * The FHIR store on the node's own database (SQLite or PostgreSQL). Every write is one database
 * transaction covering the resource, its version history and its search index rows.
 */
export class SqlFhirRepository implements FhirRepository {
  readonly #db: Db;
  readonly #store: ResourceStore;

  constructor(options: { db: Db; index: SearchIndex }) {
    this.#db = options.db;
    this.#store = new ResourceStore(options.index);
  }

  /** Creates the tables when missing, then returns the repository. */
  static async open(db: Db, index: SearchIndex): Promise<SqlFhirRepository> {
    await db.exec(FHIR_SCHEMA);
    return new SqlFhirRepository({ db, index });
  }

  async create<T extends Resource>(resource: T, options: CreateOptions = {}): Promise<WriteResult<T>> {
    assertResource(resource);
    return this.#db.transaction(async (tx) => {
      if (options.ifNoneExist !== undefined) {
        const existing = await this.#store.findExisting(tx, resource.resourceType, options.ifNoneExist);
        if (existing) return { resource: existing as T, created: false };
      }
      return { resource: await this.#store.create(tx, resource), created: true };
    });
  }

  read<T extends Resource = Resource>(resourceType: string, id: string): Promise<T> {
    return this.#store.read<T>(this.#db, resourceType, id);
  }

  vread<T extends Resource = Resource>(resourceType: string, id: string, versionId: string): Promise<T> {
    return this.#store.vread<T>(this.#db, resourceType, id, versionId);
  }

  /** The returned resource's `meta.versionId` is "1" when the update created the resource. */
  update<T extends Resource>(resource: T, options: UpdateOptions = {}): Promise<WriteResult<T>> {
    return this.#db.transaction((tx) =>
      this.#store.update(tx, resource, options.ifMatch, undefined, options.ifNoneMatch),
    );
  }

  delete(resourceType: string, id: string): Promise<void> {
    return this.#db.transaction((tx) => this.#store.delete(tx, resourceType, id));
  }

  expunge(resourceType: string, id: string): Promise<void> {
    return this.#db.transaction((tx) => this.#store.expunge(tx, resourceType, id));
  }

  history(
    resourceType: string | undefined,
    id: string | undefined,
    params: SearchRequest['params'],
    baseUrl: string,
  ): Promise<Bundle> {
    return readHistory(this.#db, resourceType, id, params, baseUrl);
  }

  search(request: SearchRequest): Promise<Bundle> {
    return this.#store.index.search(this.#db, request);
  }

  processBundle(bundle: Bundle, baseUrl: string): Promise<Bundle> {
    return processBundle({ db: this.#db, store: this.#store, repository: this }, bundle, baseUrl);
  }

  everything(patientId: string, baseUrl: string, params: SearchRequest['params'] = []): Promise<Bundle> {
    return patientEverything(this.#db, this.#store, patientId, baseUrl, params);
  }
}
