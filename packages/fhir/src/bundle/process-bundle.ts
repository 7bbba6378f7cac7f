import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, BundleEntryResponse, Resource } from '@medplum/fhirtypes';
import type { Db, Queryable } from '@ketenlog/storage';
import { badRequest, ProblemError, notSupported, outcome, type IssueCode } from '../outcome.ts';
import type { FhirRepository } from '../repository/repository.ts';
import type { ResourceStore } from '../repository/resource-store.ts';
import { WriteBuffer } from '../repository/write-buffer.ts';
import { resolveReferences } from './references.ts';
import { parseRequestUrl, type EntryTarget } from './request-url.ts';

export interface BundleContext {
  db: Db;
  store: ResourceStore;
  /** Used for batch entries: each one is an ordinary, independent interaction. */
  repository: FhirRepository;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface Planned {
  index: number;
  method: Method;
  target: EntryTarget;
  entry: BundleEntry;
}

/** FHIR R4 §3.1.0.11.2: a transaction processes DELETE, then POST, then PUT/PATCH, then GET/HEAD. */
const ORDER: Record<Method, number> = { DELETE: 0, POST: 1, PUT: 2, GET: 3 };

const isUrn = (url: string | undefined): url is string => !!url && /^urn:(uuid|oid):/.test(url);

/** Processes a `batch` or `transaction` Bundle (FHIR R4 §3.1.0.11). */
export async function processBundle(
  context: BundleContext,
  bundle: Bundle,
  baseUrl: string,
): Promise<Bundle> {
  if (bundle?.resourceType !== 'Bundle') throw badRequest('expected a Bundle', 'Bundle.resourceType');
  if (bundle.type === 'batch') return processBatch(context, bundle, baseUrl);
  if (bundle.type === 'transaction') return processTransaction(context, bundle, baseUrl);
  throw badRequest(`Bundle.type must be batch or transaction, not "${bundle.type}"`, 'Bundle.type');
}

function plan(entry: BundleEntry, index: number, baseUrl: string): Planned {
  const method = entry.request?.method;
  if (method !== 'GET' && method !== 'POST' && method !== 'PUT' && method !== 'DELETE') {
    throw notSupported(`Bundle.entry[${index}].request.method "${method}" is not supported`);
  }
  const target = parseRequestUrl(entry.request?.url, baseUrl);
  if (method === 'POST' || method === 'PUT') {
    if (!entry.resource) throw badRequest(`Bundle.entry[${index}] needs a resource for ${method}`);
    if (entry.resource.resourceType !== target.resourceType) {
      throw badRequest(
        `Bundle.entry[${index}].resource is a ${entry.resource.resourceType}, the url names ${target.resourceType}`,
      );
    }
  }
  if (method === 'POST' && (target.id !== undefined || target.query !== undefined)) {
    throw badRequest(`Bundle.entry[${index}]: POST goes to the type, e.g. "${target.resourceType}"`);
  }
  if (
    (method === 'PUT' || method === 'DELETE') &&
    (target.id === undefined) === (target.query === undefined)
  ) {
    throw badRequest(
      `Bundle.entry[${index}]: ${method} goes to "Type/id", or to "Type?search" (conditional ${method})`,
    );
  }
  if (method === 'PUT' && target.id !== undefined && entry.resource?.id !== target.id) {
    throw badRequest(
      `Bundle.entry[${index}].resource.id does not match the request url "${entry.request?.url}"`,
    );
  }
  return { index, method, target, entry };
}

function written(resource: Resource, status: string): BundleEntryResponse {
  return {
    status,
    location: `${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId}`,
    etag: `W/"${resource.meta?.versionId}"`,
    lastModified: resource.meta?.lastUpdated,
  };
}

async function read(
  q: Queryable,
  store: ResourceStore,
  target: EntryTarget,
  baseUrl: string,
): Promise<BundleEntry> {
  if (target.id === undefined) {
    const resource = await store.index.search(q, {
      resourceType: target.resourceType,
      params: [...new URLSearchParams(target.query ?? '')],
      baseUrl,
    });
    return { resource, response: { status: '200 OK' } };
  }
  const resource =
    target.versionId !== undefined
      ? await store.vread(q, target.resourceType, target.id, target.versionId)
      : await store.read(q, target.resourceType, target.id);
  return {
    fullUrl: `${baseUrl}/${target.resourceType}/${target.id}`,
    resource,
    response: {
      status: '200 OK',
      etag: `W/"${resource.meta?.versionId}"`,
      lastModified: resource.meta?.lastUpdated,
    },
  };
}

/** Batch: every entry on its own; a failing entry gets an OperationOutcome, the others go on. */
async function processBatch(context: BundleContext, bundle: Bundle, baseUrl: string): Promise<Bundle> {
  const { repository, store, db } = context;
  const entry: BundleEntry[] = [];
  for (const [index, requestEntry] of (bundle.entry ?? []).entries()) {
    try {
      const { method, target } = plan(requestEntry, index, baseUrl);
      if (target.query !== undefined && method !== 'GET') {
        // A conditional write is atomic on its own: a one-entry transaction.
        const single = {
          resourceType: 'Bundle' as const,
          type: 'transaction' as const,
          entry: [requestEntry],
        };
        entry.push((await processTransaction(context, single, baseUrl, index)).entry?.[0] ?? {});
      } else if (method === 'POST') {
        const result = await repository.create(requestEntry.resource as Resource, {
          ifNoneExist: requestEntry.request?.ifNoneExist,
        });
        entry.push(
          fullEntry(
            result.resource,
            baseUrl,
            written(result.resource, result.created ? '201 Created' : '200 OK'),
          ),
        );
      } else if (method === 'PUT') {
        const result = await repository.update(requestEntry.resource as Resource, {
          ifMatch: parseIfMatch(requestEntry.request?.ifMatch),
        });
        entry.push(fullEntry(result.resource, baseUrl, written(result.resource, updateStatus(result))));
      } else if (method === 'DELETE') {
        await repository.delete(target.resourceType, target.id as string);
        entry.push({ response: { status: '204 No Content' } });
      } else {
        entry.push(await read(db, store, target, baseUrl));
      }
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      entry.push({ response: { status: String(error.status), outcome: error.outcome } });
    }
  }
  return { resourceType: 'Bundle', type: 'batch-response', entry };
}

/**
 * Transaction: all entries in one database transaction. Any failure rolls everything back and
 * is thrown, naming the entry. Ids for POSTed entries are assigned first, so references to their
 * `fullUrl` anywhere in the bundle can be rewritten before anything is written.
 */
/** `firstIndex`: the index of the bundle's first entry in the request (a batch entry run alone). */
async function processTransaction(
  context: BundleContext,
  bundle: Bundle,
  baseUrl: string,
  firstIndex = 0,
): Promise<Bundle> {
  const { db, store } = context;
  const planned = (bundle.entry ?? []).map((entry, index) => plan(entry, index, baseUrl));
  const seen = new Set<string>();
  for (const p of planned) {
    if ((p.method !== 'PUT' && p.method !== 'DELETE') || p.target.id === undefined) continue;
    const key = `${p.target.resourceType}/${p.target.id}`;
    if (seen.has(key))
      throw badRequest(`Bundle.entry[${p.index}]: ${key} appears more than once in the transaction`);
    seen.add(key);
  }
  const ordered = [...planned].sort((a, b) => ORDER[a.method] - ORDER[b.method] || a.index - b.index);

  return db.transaction(async (tx) => {
    // Writes are held in the buffer and persisted together; reads through SQL flush it first.
    const buffer = new WriteBuffer();
    await buffer.prefetch(
      tx,
      planned
        .filter((p) => (p.method === 'PUT' || p.method === 'DELETE') && p.target.id !== undefined)
        .map((p) => ({ resourceType: p.target.resourceType, id: p.target.id as string })),
    );
    const responses: BundleEntry[] = new Array(planned.length);
    const assigned = new Map<string, string>();
    /** POST entries that matched an existing resource through If-None-Exist. */
    const matched = new Map<number, Resource>();
    const newIds = new Map<number, string>();
    let failing = -1;
    try {
      for (const p of ordered) {
        failing = p.index;
        if ((p.method === 'PUT' || p.method === 'DELETE') && p.target.query !== undefined) {
          // Conditional update or delete (R4 §3.1.0.4.3, §3.1.0.7.1): the search names the target.
          // One match is the target; none: a delete does nothing, an update creates; more: 412.
          await buffer.flush(tx);
          const what = `Conditional ${p.method === 'PUT' ? 'update' : 'delete'}`;
          const match = await store.findExisting(tx, p.target.resourceType, p.target.query, what);
          const bodyId = p.entry.resource?.id;
          if (p.method === 'PUT' && match && bodyId !== undefined && bodyId !== match.id)
            throw badRequest(`the resource id "${bodyId}" is not the id of the match, ${match.id}`);
          p.target = {
            resourceType: p.target.resourceType,
            id: match?.id ?? (p.method === 'PUT' ? (bodyId ?? randomUUID()) : undefined),
          };
          const key = `${p.target.resourceType}/${p.target.id}`;
          if (p.target.id !== undefined && seen.has(key))
            throw badRequest(`${key} is the target of more than one entry in the transaction`);
          seen.add(key);
          if (p.method === 'PUT')
            p.entry = { ...p.entry, resource: { ...(p.entry.resource as Resource), id: p.target.id } };
          if (p.method === 'PUT' && isUrn(p.entry.fullUrl))
            assigned.set(p.entry.fullUrl, `${p.target.resourceType}/${p.target.id}`);
        }
        if (p.method === 'DELETE') {
          if (p.target.id !== undefined) await store.delete(tx, p.target.resourceType, p.target.id, buffer);
          responses[p.index] = { response: { status: '204 No Content' } };
        } else if (p.method === 'POST') {
          const ifNoneExist = p.entry.request?.ifNoneExist;
          if (ifNoneExist) await buffer.flush(tx);
          const existing = ifNoneExist
            ? await store.findExisting(tx, p.target.resourceType, ifNoneExist)
            : undefined;
          const id = existing?.id ?? randomUUID();
          if (existing) matched.set(p.index, existing);
          else newIds.set(p.index, id);
          if (isUrn(p.entry.fullUrl)) assigned.set(p.entry.fullUrl, `${p.target.resourceType}/${id}`);
        } else if (p.method === 'PUT' && isUrn(p.entry.fullUrl)) {
          assigned.set(p.entry.fullUrl, `${p.target.resourceType}/${p.target.id}`);
        }
      }
      for (const p of ordered) {
        failing = p.index;
        if (p.method === 'POST') {
          const existing = matched.get(p.index);
          if (existing) {
            responses[p.index] = fullEntry(existing, baseUrl, written(existing, '200 OK'));
            continue;
          }
          const resource = resolveReferences(p.entry.resource as Resource, assigned);
          const created = await store.create(tx, resource, newIds.get(p.index), buffer);
          responses[p.index] = fullEntry(created, baseUrl, written(created, '201 Created'));
        } else if (p.method === 'PUT') {
          const resource = resolveReferences(p.entry.resource as Resource, assigned);
          const ifNoneMatch = p.entry.request?.ifNoneMatch === '*';
          const result = await store.update(
            tx,
            resource,
            parseIfMatch(p.entry.request?.ifMatch),
            buffer,
            ifNoneMatch,
          );
          responses[p.index] = fullEntry(
            result.resource,
            baseUrl,
            written(result.resource, updateStatus(result)),
          );
        } else if (p.method === 'GET') {
          await buffer.flush(tx);
          responses[p.index] = await read(tx, store, p.target, baseUrl);
        }
      }
      failing = -1;
      await buffer.flush(tx);
    } catch (error) {
      if (error instanceof ProblemError && failing >= 0) throw inEntry(error, failing + firstIndex);
      throw error;
    }
    const response: Bundle = { resourceType: 'Bundle', type: 'transaction-response', entry: responses };
    return response;
  });
}

function fullEntry(resource: Resource, baseUrl: string, response: BundleEntryResponse): BundleEntry {
  return { fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`, resource, response };
}

/** An update that made version 1 created the resource (update-as-create); a no-op update is 200. */
const updateStatus = (result: { resource: Resource; created: boolean }): string =>
  result.created && result.resource.meta?.versionId === '1' ? '201 Created' : '200 OK';

/** `W/"3"` or `"3"` or `3` -> `3`. */
function parseIfMatch(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** The same error, with the failing entry named in the diagnostics. */
function inEntry(error: ProblemError, index: number): ProblemError {
  const issue = error.outcome.issue?.[0];
  const diagnostics = `Bundle.entry[${index}]: ${issue?.diagnostics ?? error.message}`;
  return new ProblemError(
    error.status,
    outcome(issue?.severity ?? 'error', (issue?.code ?? 'processing') as IssueCode, diagnostics),
  );
}
