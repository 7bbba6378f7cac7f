import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { FhirDefinitions } from '../definitions/fhir-definitions.ts';
import { ProblemError } from '../outcome.ts';
import type { FhirRepository } from '../repository/repository.ts';
import { validateResource } from '../validation/validate.ts';
import { sameContent } from './same-content.ts';
import { findSourceFiles, readResources } from './source-files.ts';

export interface ImportOptions {
  repository: FhirRepository;
  definitions: FhirDefinitions;
  /** Called as files are done: `done` of `total` files (the last call has done === total). */
  onProgress?(done: number, total: number): void;
  /** Resources written per transaction bundle; 500 unless told. */
  groupSize?: number;
}

export interface Rejection {
  file: string;
  reason: string;
}

export interface ImportSummary {
  /** Resources written (created, or updated to a new version). */
  loaded: number;
  /** Resources already stored with the same content (ignoring `meta`): nothing written. */
  unchanged: number;
  rejected: Rejection[];
}

/** Bundles the repository processes as one request (FHIR R4 §3.1.0.11); other types are unpacked. */
const PROCESSED_BUNDLE_TYPES: ReadonlySet<string> = new Set(['transaction', 'batch']);

/** Only used in the fullUrls of bundle responses, which the import does not keep. */
const IMPORT_BASE = 'urn:ketenlog:import';

/** How many stored versions are read at once when checking for unchanged resources. */
const READ_CONCURRENCY = 16;

/**
 * Loads FHIR resources from files and folders (`.json`, `.xml`, `.ndjson`; resources and Bundles)
 * into a repository, idempotently: a resource with an id is written with update (update-as-create)
 * unless the stored one has the same content, so importing twice writes nothing the second time.
 * Resources without an id are created. Every resource is validated first; what fails is rejected
 * with its reason and the rest goes on. Writes are grouped into transaction bundles for speed.
 */
export async function importPaths(paths: readonly string[], options: ImportOptions): Promise<ImportSummary> {
  const { files, unreadable } = await findSourceFiles(paths);
  const run = new ImportRun(options);
  run.summary.rejected.push(...unreadable);
  const total = files.length;
  options.onProgress?.(0, total);
  for (const [index, file] of files.entries()) {
    await run.importFile(file);
    // The last file is only done once the final group is written.
    if (index < total - 1) options.onProgress?.(index + 1, total);
  }
  await run.flush();
  options.onProgress?.(total, total);
  return run.summary;
}

/** A resource waiting to be written, with where it came from for a rejection. */
interface Pending {
  file: string;
  /** Where in the file, e.g. `Bundle.entry[3]` or `line 7`; empty for a whole-file resource. */
  where: string;
  resource: Resource;
}

/** The state of one import: the summary so far and the group of resources not yet written. */
class ImportRun {
  readonly summary: ImportSummary = { loaded: 0, unchanged: 0, rejected: [] };
  readonly #repository: FhirRepository;
  readonly #definitions: FhirDefinitions;
  readonly #groupSize: number;
  #pending: Pending[] = [];
  /** `Type/id` of the pending resources: a transaction may name each resource only once. */
  #pendingKeys = new Set<string>();

  constructor(options: ImportOptions) {
    this.#repository = options.repository;
    this.#definitions = options.definitions;
    this.#groupSize = Math.max(1, options.groupSize ?? 500);
  }

  async importFile(file: string): Promise<void> {
    let resources: Resource[];
    try {
      resources = await readResources(file, this.#definitions);
    } catch (error) {
      // Anything that stops a file being read or parsed rejects that file only.
      const reason =
        error instanceof ProblemError
          ? describe(error)
          : error instanceof Error
            ? error.message
            : String(error);
      this.summary.rejected.push({ file, reason });
      return;
    }
    for (const [index, resource] of resources.entries()) {
      const where = resources.length > 1 ? `line ${index + 1}` : '';
      if (resource.resourceType === 'Bundle' && PROCESSED_BUNDLE_TYPES.has(resource.type ?? '')) {
        await this.#processBundle(file, where, resource);
      } else if (resource.resourceType === 'Bundle') {
        for (const [i, entry] of (resource.entry ?? []).entries()) {
          if (entry.resource)
            await this.#add({ file, where: at(where, `Bundle.entry[${i}]`), resource: entry.resource });
        }
      } else {
        await this.#add({ file, where, resource });
      }
    }
  }

  /** Writes the pending group as one transaction; if that fails, resource by resource. */
  async flush(): Promise<void> {
    const group = this.#pending;
    this.#pending = [];
    this.#pendingKeys = new Set();
    const changed = await this.#withoutUnchanged(group);
    if (changed.length === 0) return;
    if (changed.length > 1) {
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: changed.map(({ resource }) => writeEntry(resource)),
      };
      try {
        await this.#repository.processBundle(bundle, IMPORT_BASE);
        this.summary.loaded += changed.length;
        return;
      } catch (error) {
        if (!(error instanceof ProblemError)) throw error;
        // One resource spoilt the transaction: write them singly to find it and keep the rest.
      }
    }
    for (const item of changed) {
      try {
        if (item.resource.id) await this.#repository.update(item.resource);
        else await this.#repository.create(item.resource);
        this.summary.loaded += 1;
      } catch (error) {
        if (!(error instanceof ProblemError)) throw error;
        this.#reject(item.file, item.where, error);
      }
    }
  }

  async #add(item: Pending): Promise<void> {
    try {
      validateResource(item.resource, this.#definitions);
    } catch (error) {
      this.#reject(item.file, item.where, error);
      return;
    }
    const { resourceType, id } = item.resource;
    if (id !== undefined) {
      const key = `${resourceType}/${id}`;
      if (this.#pendingKeys.has(key)) await this.flush();
      this.#pendingKeys.add(key);
    }
    this.#pending.push(item);
    if (this.#pending.length >= this.#groupSize) await this.flush();
  }

  /** The items whose stored version differs (or does not exist); counts the others as unchanged. */
  async #withoutUnchanged(group: Pending[]): Promise<Pending[]> {
    const stored = await mapConcurrently(group, READ_CONCURRENCY, ({ resource }) =>
      resource.id === undefined ? undefined : this.#stored(resource.resourceType, resource.id),
    );
    const changed = group.filter((item, i) => !(stored[i] && sameContent(stored[i], item.resource)));
    this.summary.unchanged += group.length - changed.length;
    return changed;
  }

  /** The current version, or undefined when there is none (never created, or deleted). */
  async #stored(resourceType: string, id: string): Promise<Resource | undefined> {
    try {
      return await this.#repository.read(resourceType, id);
    } catch (error) {
      if (error instanceof ProblemError && (error.status === 404 || error.status === 410)) return undefined;
      throw error;
    }
  }

  /**
   * A transaction or batch from a file goes to the repository as it is, minus PUT entries whose
   * resource is stored unchanged (kept when their fullUrl is a `urn:` that others may refer to).
   */
  async #processBundle(file: string, where: string, bundle: Bundle): Promise<void> {
    try {
      validateResource(bundle, this.#definitions);
    } catch (error) {
      this.#reject(file, where, error);
      return;
    }
    await this.flush();
    const entries = bundle.entry ?? [];
    const unchanged = await mapConcurrently(entries, READ_CONCURRENCY, async (entry) => {
      const resource = entry.resource;
      if (entry.request?.method !== 'PUT' || !resource?.id || entry.fullUrl?.startsWith('urn:')) return false;
      const stored = await this.#stored(resource.resourceType, resource.id);
      return stored !== undefined && sameContent(stored, resource);
    });
    /** Positions in the file's bundle of the entries sent. */
    const sent = entries.flatMap((entry, at) => (unchanged[at] ? [] : [{ entry, at }]));
    this.summary.unchanged += entries.length - sent.length;
    if (sent.length === 0) return;
    let response: Bundle;
    try {
      response = await this.#repository.processBundle(
        { ...bundle, entry: sent.map(({ entry }) => entry) },
        IMPORT_BASE,
      );
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      this.#reject(file, where, error);
      return;
    }
    for (const [i, result] of (response.entry ?? []).entries()) {
      const method = sent[i]?.entry.request?.method;
      const status = result.response?.status ?? '';
      if (!/^2/.test(status)) {
        const reason =
          result.response?.outcome?.issue?.map((issue) => issue.diagnostics).join('; ') ?? status;
        this.summary.rejected.push({
          file,
          reason: `${at(where, `Bundle.entry[${sent[i]?.at}]`)}: ${reason}`,
        });
      } else if (method === 'PUT' || (method === 'POST' && /^201/.test(status))) {
        this.summary.loaded += 1;
      } else if (method === 'POST') {
        // A conditional create (If-None-Exist) that found the resource already there.
        this.summary.unchanged += 1;
      }
    }
  }

  #reject(file: string, where: string, error: unknown): void {
    if (!(error instanceof ProblemError)) throw error;
    const reason = describe(error);
    this.summary.rejected.push({ file, reason: where ? `${where}: ${reason}` : reason });
  }
}

function writeEntry(resource: Resource): BundleEntry {
  return resource.id === undefined
    ? { resource, request: { method: 'POST', url: resource.resourceType } }
    : { resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } };
}

/** Each issue's diagnostics, with the element it names when the diagnostics do not. */
function describe(error: ProblemError): string {
  const issues = error.outcome.issue ?? [];
  if (issues.length === 0) return error.message;
  return issues
    .map(({ diagnostics = '', expression }) => {
      const element = expression?.[0];
      return element && !diagnostics.includes(element) ? `${element}: ${diagnostics}` : diagnostics;
    })
    .join('; ');
}

const at = (outer: string, inner: string): string => (outer ? `${outer} ${inner}` : inner);

/** `Promise.all(items.map(fn))` with at most `limit` calls under way at once, results in order. */
async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R> | R,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  // One iterator shared by the workers: each takes the next item.
  const queue = items.entries();
  const worker = async (): Promise<void> => {
    for (const [i, item] of queue) results[i] = await fn(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
