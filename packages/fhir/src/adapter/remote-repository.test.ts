import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Observation, Organization, Patient, Resource } from '@medplum/fhirtypes';
import { openSqlite, type Db } from '@ketenlog/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirDefinitions } from '../definitions/fhir-definitions.ts';
import { importPaths } from '../import/import-paths.ts';
import { ProblemError, notSupported } from '../outcome.ts';
import type { FhirRepository } from '../repository/repository.ts';
import { SqlFhirRepository } from '../repository/sql-repository.ts';
import { SearchParameterRegistry } from '../search/definitions.ts';
import { FhirSearchIndex } from '../search/search-index.ts';
import { RemoteFhirRepository } from './remote-repository.ts';

/** This node's own base URL, as a client of the node would see it. */
const LOCAL = 'http://node.example/fhir';

/** Just enough of the FHIR REST API over a repository for these tests: read, vread, search, create, update, bundles. */
function fhirServer(repository: FhirRepository): Server {
  return createServer((request, response) => {
    route(repository, request, response).catch((error: unknown) => {
      const status = error instanceof ProblemError ? error.status : 500;
      const body = error instanceof ProblemError ? error.outcome : { message: String(error) };
      send(response, status, body);
    });
  });
}

async function route(
  repository: FhirRepository,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const base = `http://${request.headers.host}/fhir`;
  const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
  const [, root, resourceType, id, history, versionId, ...rest] = url.pathname.split('/');
  if (root !== 'fhir' || rest.length > 0) throw notSupported(`${request.method} ${url.pathname}`);
  if (request.method === 'POST' && !resourceType) {
    return send(response, 200, await repository.processBundle((await readBody(request)) as Bundle, base));
  }
  if (request.method === 'PUT' && resourceType && id && !history) {
    const { resource } = await repository.update(await readBody(request), { ifMatch: ifMatch(request) });
    return send(response, resource.meta?.versionId === '1' ? 201 : 200, resource);
  }
  if (!resourceType) throw notSupported(`${request.method} ${url.pathname}`);
  if (request.method === 'GET' && id && history === '_history' && versionId) {
    return send(response, 200, await repository.vread(resourceType, id, versionId));
  }
  if (request.method === 'GET' && id && !history)
    return send(response, 200, await repository.read(resourceType, id));
  if (request.method === 'GET') {
    return send(
      response,
      200,
      await repository.search({ resourceType, params: [...url.searchParams], baseUrl: base }),
    );
  }
  if (request.method === 'POST' && !id) {
    const resource = await readBody(request);
    const ifNoneExist = request.headers['if-none-exist'] as string | undefined;
    const { resource: stored, created } = await repository.create(resource, { ifNoneExist });
    response.setHeader(
      'location',
      `${base}/${stored.resourceType}/${stored.id}/_history/${stored.meta?.versionId}`,
    );
    // A server may leave the body out (Prefer: return=minimal); the adapter then follows Location.
    if (stored.resourceType === 'Organization') return send(response, 201, undefined);
    return send(response, created ? 201 : 200, stored);
  }
  throw notSupported(`${request.method} ${url.pathname}`);
}

async function readBody(request: IncomingMessage): Promise<Resource> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Resource;
}

/** `W/"3"` -> `3`. */
const ifMatch = (request: IncomingMessage): string | undefined =>
  request.headers['if-match']?.replace(/^W\//, '').replace(/"/g, '');

function send(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  if (body === undefined) {
    response.end();
    return;
  }
  response.setHeader('content-type', 'application/fhir+json');
  response.end(JSON.stringify(body));
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failure(promise: Promise<unknown>): Promise<ProblemError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error('expected a ProblemError');
}

describe('RemoteFhirRepository against a FHIR server over HTTP', () => {
  let db: Db;
  let server: Server;
  let origin: string;
  let remote: RemoteFhirRepository;
  let definitions: FhirDefinitions;
  beforeAll(async () => {
    definitions = FhirDefinitions.load();
    db = await openSqlite(':memory:');
    const ehr = await SqlFhirRepository.open(db, new FhirSearchIndex(SearchParameterRegistry.load()));
    server = fhirServer(ehr);
    origin = await listen(server);
    remote = new RemoteFhirRepository({ baseUrl: `${origin}/fhir/`, timeoutMs: 2000 });
  });
  afterAll(async () => {
    server.close();
    await db.close();
  });

  it('creates on the remote server and reads the resource back', async () => {
    const { resource, created } = await remote.create<Patient>({
      resourceType: 'Patient',
      name: [{ family: 'Bakker' }],
    });
    expect(created).toBe(true);
    expect(resource.meta?.versionId).toBe('1');
    expect(await remote.read('Patient', resource.id as string)).toEqual(resource);
  });

  it('answers a conditional create that matches with the existing resource', async () => {
    const patient: Patient = { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: '77' }] };
    const first = await remote.create(patient, { ifNoneExist: 'identifier=urn:mrn|77' });
    const second = await remote.create(patient, { ifNoneExist: 'identifier=urn:mrn|77' });
    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.resource.id).toBe(first.resource.id);
  });

  it('follows the Location when a create is answered without a body', async () => {
    const { resource } = await remote.create<Organization>({
      resourceType: 'Organization',
      name: 'Huisartsenpraktijk Noord',
    });
    expect(resource).toMatchObject({ resourceType: 'Organization', name: 'Huisartsenpraktijk Noord' });
    expect(resource.id).toBeDefined();
  });

  it('searches, with paging links and fullUrls moved to the local base', async () => {
    const { resource: patient } = await remote.create<Patient>({
      resourceType: 'Patient',
      name: [{ family: 'Smit' }],
    });
    for (const value of [120, 130]) {
      await remote.create<Observation>({
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
        subject: { reference: `Patient/${patient.id}` },
        valueQuantity: { value, unit: 'mm[Hg]' },
      });
    }
    const bundle = await remote.search({
      resourceType: 'Observation',
      params: [
        ['subject', `Patient/${patient.id}`],
        ['code', 'http://loinc.org|8480-6'],
        ['_count', '1'],
      ],
      baseUrl: LOCAL,
    });
    expect(bundle.total).toBe(2);
    expect(bundle.entry?.[0]?.fullUrl).toMatch(new RegExp(`^${LOCAL}/Observation/[0-9a-f-]{36}$`));
    const next = bundle.link?.find((link) => link.relation === 'next')?.url;
    expect(next?.startsWith(`${LOCAL}/Observation?`)).toBe(true);
    expect(JSON.stringify(bundle)).not.toContain(origin);
  });

  it('turns a remote OperationOutcome into a ProblemError with the same status', async () => {
    const missing = await failure(remote.read('Patient', 'nobody'));
    expect(missing.status).toBe(404);
    expect(missing.outcome.issue?.[0]?.code).toBe('not-found');
    const invalid = await failure(
      remote.search({ resourceType: 'Patient', params: [['no-such-param', 'x']], baseUrl: LOCAL }),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.outcome.resourceType).toBe('OperationOutcome');
    expect((await failure(remote.vread('Patient', 'nobody', '1'))).status).toBe(404);
  });

  it('updates with If-Match, and a stale version is refused with the remote 412', async () => {
    const { resource } = await remote.update<Patient>({ resourceType: 'Patient', id: 'upd', active: false });
    expect(resource.meta?.versionId).toBe('1');
    const { resource: v2 } = await remote.update({ ...resource, active: true }, { ifMatch: '1' });
    expect(v2.meta?.versionId).toBe('2');
    expect((await failure(remote.update({ ...resource, active: false }, { ifMatch: '1' }))).status).toBe(412);
  });

  it('sends a transaction to the remote server and moves the response to the local base', async () => {
    const response = await remote.processBundle(
      {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            resource: { resourceType: 'Patient', id: 'tx-1' },
            request: { method: 'PUT', url: `${LOCAL}/Patient/tx-1` },
          },
        ],
      },
      LOCAL,
    );
    expect(response.type).toBe('transaction-response');
    expect(response.entry?.[0]?.fullUrl).toBe(`${LOCAL}/Patient/tx-1`);
    expect((await remote.read('Patient', 'tx-1')).id).toBe('tx-1');
  });

  it('imports through the adapter, and a second import finds everything unchanged', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ketenlog-remote-import-'));
    try {
      for (const id of ['imp-1', 'imp-2', 'imp-3']) {
        writeFileSync(
          join(folder, `${id}.json`),
          JSON.stringify({ resourceType: 'Patient', id, active: true }),
        );
      }
      const options = { repository: remote, definitions };
      expect(await importPaths([folder], options)).toEqual({ loaded: 3, unchanged: 0, rejected: [] });
      expect(await importPaths([folder], options)).toEqual({ loaded: 0, unchanged: 3, rejected: [] });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('refuses an id that is not a FHIR id before sending anything', async () => {
    expect((await failure(remote.read('Patient', '../metadata'))).status).toBe(400);
  });
});

describe('RemoteFhirRepository when the remote server misbehaves', () => {
  it('gives up with 504 when the server does not answer in time', async () => {
    const server = createServer(() => undefined);
    const origin = await listen(server);
    try {
      const remote = new RemoteFhirRepository({ baseUrl: `${origin}/fhir`, timeoutMs: 100 });
      const error = await failure(remote.read('Patient', 'p1'));
      expect(error.status).toBe(504);
      expect(error.outcome.issue?.[0]?.code).toBe('timeout');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('answers 502 when the server cannot be reached', async () => {
    const server = createServer();
    const origin = await listen(server);
    server.close();
    await once(server, 'close');
    const remote = new RemoteFhirRepository({ baseUrl: `${origin}/fhir` });
    expect((await failure(remote.read('Patient', 'p1'))).status).toBe(502);
  });

  it('keeps the status of an error answered without an OperationOutcome', async () => {
    const server = createServer((_request, response) => {
      response.statusCode = 503;
      response.setHeader('content-type', 'text/html');
      response.end('<h1>Onderhoud</h1>');
    });
    const origin = await listen(server);
    try {
      const error = await failure(
        new RemoteFhirRepository({ baseUrl: `${origin}/fhir` }).read('Patient', 'p1'),
      );
      expect(error.status).toBe(503);
      expect(error.outcome.issue?.[0]?.diagnostics).toContain('503');
    } finally {
      server.close();
    }
  });

  it('answers 502 for a success that is not FHIR JSON', async () => {
    const server = createServer((_request, response) => response.end('<html>login</html>'));
    const origin = await listen(server);
    try {
      const error = await failure(
        new RemoteFhirRepository({ baseUrl: `${origin}/fhir` }).read('Patient', 'p1'),
      );
      expect(error.status).toBe(502);
    } finally {
      server.close();
    }
  });
});
