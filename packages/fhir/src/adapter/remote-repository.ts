import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { ProblemError, outcome } from '../outcome.ts';
import { assertId, assertResource, assertResourceType } from '../repository/identity.ts';
import type {
  CreateOptions,
  FhirRepository,
  SearchRequest,
  UpdateOptions,
  WriteResult,
} from '../repository/repository.ts';
import { rebaseBundle, rebaseUrl } from './rebase.ts';

export interface RemoteFhirOptions {
  /** The existing server's FHIR R4 base URL, e.g. https://ehr.example.nl/fhir */
  baseUrl: string;
  /** Per request, including reading the body; 10 s unless told. */
  timeoutMs?: number;
  /** Sent with every request, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
}

const FHIR_JSON = 'application/fhir+json';

/**
 * The FhirRepository of an organisation whose existing FHIR R4 server (its EHR) stays the source of
 * truth: every interaction is forwarded over HTTP (FHIR R4 §3.1.0 RESTful API) with `fetch`. A
 * remote error with an OperationOutcome becomes a `ProblemError` with the remote status; a server that
 * cannot be reached or does not answer in time, a 502 or 504. Bundles come back with their links and
 * fullUrls moved from the remote base to the local base of the request.
 */
export class RemoteFhirRepository implements FhirRepository {
  readonly baseUrl: string;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;

  constructor(options: RemoteFhirOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#headers = options.headers ?? {};
  }

  async create<T extends Resource>(resource: T, options: CreateOptions = {}): Promise<WriteResult<T>> {
    assertResource(resource);
    const headers: Record<string, string> = {};
    if (options.ifNoneExist !== undefined) headers['if-none-exist'] = options.ifNoneExist;
    const { status, body, location } = await this.#request('POST', typePath(resource.resourceType), {
      body: resource,
      headers,
    });
    // 201: created; 200: an If-None-Exist match (FHIR R4 §3.1.0.8.1).
    return { resource: await this.#written<T>(body, location), created: status === 201 };
  }

  async read<T extends Resource = Resource>(resourceType: string, id: string): Promise<T> {
    return (await this.#request('GET', instancePath(resourceType, id))).body as T;
  }

  async vread<T extends Resource = Resource>(
    resourceType: string,
    id: string,
    versionId: string,
  ): Promise<T> {
    const path = `${instancePath(resourceType, id)}/_history/${encodeURIComponent(versionId)}`;
    return (await this.#request('GET', path)).body as T;
  }

  async update<T extends Resource>(resource: T, options: UpdateOptions = {}): Promise<WriteResult<T>> {
    assertResource(resource);
    const headers: Record<string, string> = {};
    if (options.ifMatch !== undefined) headers['if-match'] = `W/"${options.ifMatch}"`;
    if (options.ifNoneMatch) headers['if-none-match'] = '*';
    const { body, location } = await this.#request('PUT', instancePath(resource.resourceType, resource.id), {
      body: resource,
      headers,
    });
    return { resource: await this.#written<T>(body, location), created: true };
  }

  async delete(resourceType: string, id: string): Promise<void> {
    await this.#request('DELETE', instancePath(resourceType, id));
  }

  /**
   * Deletes, then asks the server to expunge the history (HAPI's `$expunge`); a server without it
   * answers with an error, which is passed on: an erasure must not pass for done when it is not.
   */
  async expunge(resourceType: string, id: string): Promise<void> {
    await this.delete(resourceType, id);
    await this.#request('POST', `${instancePath(resourceType, id)}/$expunge`, {
      body: {
        resourceType: 'Parameters',
        parameter: [{ name: 'expungeDeletedResources', valueBoolean: true }],
      },
    });
  }

  async history(
    resourceType: string | undefined,
    id: string | undefined,
    params: SearchRequest['params'],
    baseUrl: string,
  ): Promise<Bundle> {
    const path =
      resourceType === undefined
        ? ''
        : id === undefined
          ? typePath(resourceType)
          : instancePath(resourceType, id);
    return this.#bundle('GET', `${path}/_history${query(params)}`, baseUrl);
  }

  search(request: SearchRequest): Promise<Bundle> {
    const compartment = request.compartment
      ? instancePath(request.compartment.type, request.compartment.id)
      : '';
    const type = request.resourceType ? typePath(request.resourceType) : '';
    return this.#bundle('GET', `${compartment}${type}${query(request.params)}`, request.baseUrl);
  }

  processBundle(bundle: Bundle, baseUrl: string): Promise<Bundle> {
    // Request URLs may be absolute on this node's base; the remote server knows only its own.
    const entry = bundle.entry?.map((e) =>
      e.request
        ? { ...e, request: { ...e.request, url: rebaseUrl(e.request.url, baseUrl, this.baseUrl) as string } }
        : e,
    );
    return this.#bundle('POST', '', baseUrl, { ...bundle, ...(entry && { entry }) });
  }

  everything(patientId: string, baseUrl: string, params: SearchRequest['params'] = []): Promise<Bundle> {
    return this.#bundle('GET', `${instancePath('Patient', patientId)}/$everything${query(params)}`, baseUrl);
  }

  async #bundle(method: string, path: string, localBase: string, body?: Resource): Promise<Bundle> {
    const response = await this.#request(method, path, { body });
    if (response.body?.resourceType !== 'Bundle')
      throw badGateway(`${method} ${path} did not answer with a Bundle`);
    return rebaseBundle(response.body, this.baseUrl, localBase);
  }

  /** The resource a write answered with, or, for a server that answers without a body, its Location. */
  async #written<T extends Resource>(body: Resource | undefined, location: string | null): Promise<T> {
    if (body && body.resourceType !== 'OperationOutcome') return body as T;
    if (!location) throw badGateway('a write was answered with neither the resource nor a Location');
    const path = rebaseUrl(location, this.baseUrl, '') as string;
    if (/^[a-z]+:/i.test(path)) throw badGateway(`the Location ${location} is not on ${this.baseUrl}`);
    return (await this.#request('GET', path.startsWith('/') ? path : `/${path}`)).body as T;
  }

  async #request(
    method: string,
    path: string,
    options: { body?: Resource; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: Resource | undefined; location: string | null }> {
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: FHIR_JSON,
          ...(options.body && { 'content-type': FHIR_JSON }),
          // Ask for the resource back, so a write needs no second request (FHIR R4 §3.1.0.9).
          ...(method === 'POST' || method === 'PUT' ? { prefer: 'return=representation' } : {}),
          ...this.#headers,
          ...options.headers,
        },
        body: options.body && JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') {
        throw new ProblemError(
          504,
          outcome('error', 'timeout', `${method} ${url}: no answer within ${this.#timeoutMs} ms`),
        );
      }
      throw badGateway(`${method} ${url} failed: ${(error as Error).message}`);
    }
    const body = parseBody(text);
    if (!response.ok) {
      if (body?.resourceType === 'OperationOutcome')
        throw new ProblemError(response.status, body as OperationOutcome);
      throw new ProblemError(
        response.status,
        outcome(
          'error',
          'exception',
          `${method} ${url}: remote FHIR server answered ${response.status} ${response.statusText}`,
        ),
      );
    }
    if (text.trim() !== '' && body === undefined)
      throw badGateway(`${method} ${url} answered with something other than FHIR JSON`);
    return { status: response.status, body, location: response.headers.get('location') };
  }
}

const typePath = (resourceType: string): string => {
  assertResourceType(resourceType);
  return `/${resourceType}`;
};

const instancePath = (resourceType: string, id: unknown): string => {
  assertId(id);
  return `${typePath(resourceType)}/${id}`;
};

const query = (params: SearchRequest['params']): string => {
  const search = new URLSearchParams(params as [string, string][]).toString();
  return search ? `?${search}` : '';
};

function parseBody(text: string): Resource | undefined {
  if (text.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && typeof (value as Resource).resourceType === 'string'
      ? (value as Resource)
      : undefined;
  } catch {
    return undefined;
  }
}

const badGateway = (diagnostics: string): ProblemError =>
  new ProblemError(502, outcome('error', 'exception', diagnostics));
