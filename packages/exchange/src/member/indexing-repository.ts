// The node's FHIR store, noting every resource it stores for the localisation index: creates,
// updates and the resources of batch/transaction bundles go to the index publisher after they are
// written. Reads pass straight through.
import type { Bundle, Patient, Resource } from '@medplum/fhirtypes';
import {
  ForwardingRepository,
  type CreateOptions,
  type FhirRepository,
  type UpdateOptions,
  type WriteResult,
} from '@ketenlog/fhir';
import type { IndexPublisher } from '../localisation/index-publisher.ts';

export class IndexingRepository extends ForwardingRepository {
  readonly #publisher: IndexPublisher;

  constructor(inner: FhirRepository, publisher: IndexPublisher) {
    super(inner);
    this.#publisher = publisher;
  }

  async create<T extends Resource>(resource: T, options?: CreateOptions): Promise<WriteResult<T>> {
    const result = await this.inner.create(resource, options);
    this.#publisher.written(result.resource);
    return result;
  }

  async update<T extends Resource>(resource: T, options?: UpdateOptions): Promise<WriteResult<T>> {
    const result = await this.inner.update(resource, options);
    this.#publisher.written(result.resource);
    return result;
  }

  async processBundle(bundle: Bundle, baseUrl: string): Promise<Bundle> {
    const result = await this.inner.processBundle(bundle, baseUrl);
    // The stored resources, as stored: urn:uuid references are resolved inside the transaction, so
    // each written entry is read back by the location the response gives it.
    const written = (bundle.entry ?? []).flatMap((entry, i) => {
      const location = result.entry?.[i]?.response?.location;
      const status = result.entry?.[i]?.response?.status ?? '';
      if (entry.request?.method === 'DELETE' || !location || !/^20[01]/.test(status)) return [];
      const [type, id] = location.replace(/^.*?([A-Z][A-Za-z]+\/[^/]+)(\/_history\/.*)?$/, '$1').split('/');
      return type && id ? [{ type, id }] : [];
    });
    for (const { type, id } of written) {
      try {
        this.#publisher.written(await this.inner.read(type, id));
      } catch {
        // Deleted again within the same bundle: nothing to state.
      }
    }
    return result;
  }
}

const PAGE = 200;

/**
 * Everything the store holds about its clients, Patient by Patient (her `$everything`), for the
 * index publisher's reconcile. Stops early once `stopped()` says the node is closing.
 */
export async function* storeContents(
  repository: FhirRepository,
  stopped: () => boolean = () => false,
): AsyncGenerator<Resource> {
  const baseUrl = 'http://local/fhir';
  let params: [string, string][] = [['_count', String(PAGE)]];
  while (!stopped()) {
    const page = await repository.search({ resourceType: 'Patient', params, baseUrl });
    for (const entry of page.entry ?? []) {
      const patient = entry.resource as Patient | undefined;
      if (stopped()) return;
      if (patient?.resourceType !== 'Patient' || !patient.id) continue;
      for (const e of (await repository.everything(patient.id, baseUrl)).entry ?? [])
        if (e.resource) yield e.resource;
    }
    const next = page.link?.find((l) => l.relation === 'next')?.url;
    if (!next) return;
    params = [...new URL(next).searchParams.entries()];
  }
}
