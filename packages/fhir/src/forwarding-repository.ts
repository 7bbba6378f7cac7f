// The base of a FhirRepository decorator: every call goes to the repository inside unchanged; a
// decorator overrides only what it adds to (PatientIdentityRepository, the node's IndexingRepository).
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type {
  CreateOptions,
  FhirRepository,
  SearchRequest,
  UpdateOptions,
  WriteResult,
} from './repository/repository.ts';

export class ForwardingRepository implements FhirRepository {
  protected readonly inner: FhirRepository;

  constructor(inner: FhirRepository) {
    this.inner = inner;
  }

  create<T extends Resource>(resource: T, options?: CreateOptions): Promise<WriteResult<T>> {
    return this.inner.create(resource, options);
  }

  update<T extends Resource>(resource: T, options?: UpdateOptions): Promise<WriteResult<T>> {
    return this.inner.update(resource, options);
  }

  processBundle(bundle: Bundle, baseUrl: string): Promise<Bundle> {
    return this.inner.processBundle(bundle, baseUrl);
  }

  read<T extends Resource = Resource>(resourceType: string, id: string): Promise<T> {
    return this.inner.read<T>(resourceType, id);
  }

  vread<T extends Resource = Resource>(resourceType: string, id: string, versionId: string): Promise<T> {
    return this.inner.vread<T>(resourceType, id, versionId);
  }

  delete(resourceType: string, id: string): Promise<void> {
    return this.inner.delete(resourceType, id);
  }

  expunge(resourceType: string, id: string): Promise<void> {
    return this.inner.expunge(resourceType, id);
  }

  history(
    resourceType: string | undefined,
    id: string | undefined,
    params: SearchRequest['params'],
    baseUrl: string,
  ): Promise<Bundle> {
    return this.inner.history(resourceType, id, params, baseUrl);
  }

  search(request: SearchRequest): Promise<Bundle> {
    return this.inner.search(request);
  }

  everything(patientId: string, baseUrl: string, params?: SearchRequest['params']): Promise<Bundle> {
    return this.inner.everything(patientId, baseUrl, params);
  }
}
