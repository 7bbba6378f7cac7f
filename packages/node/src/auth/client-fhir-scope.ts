// A client's portal session on the node's FHIR API sees her own records only. A request to /fhir
// that carries a client's session cookie (or a representative's, acting for a client) and no
// Authorization header is limited to her compartment at this node: a search is made about her
// Patient (`patient=`, or `_id=` for Patient), replacing whatever the request named; a read, a
// version read or `$everything` of anything not hers is 404, so nothing about others is disclosed;
// system-wide searches and history are refused. Of writes only a new Observation passes, for
// client-diary.ts to check as her diary entry. Requests without a session stay the organisation's
// own API.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Resource } from '@medplum/fhirtypes';
import { replyOutcome as outcome, type FhirRepository } from '@ketenlog/fhir';
import { patientOf } from '@ketenlog/exchange';
import { sessionIdFrom, type SessionStore } from '@ketenlog/auth';

export interface ClientFhirScopeOptions {
  readonly fhirPath: string;
  readonly repository: FhirRepository;
  readonly sessions: SessionStore;
  /** Her Patient id at this organisation, from her holder identity. */
  readonly patientOf: (holder: string) => Promise<string | undefined>;
}

const OPEN = new Set(['metadata', '.well-known']);
/** Search parameters that name whose records a search is about. */
const WHOSE = ['patient', 'subject', '_id'];

export function registerClientFhirScope(app: FastifyInstance, options: ClientFhirScopeOptions): void {
  const { fhirPath, repository, sessions } = options;

  /** The client a session cookie stands for, if any. */
  const clientOf = (request: FastifyRequest): string | undefined => {
    if (request.headers.authorization) return undefined;
    const principal = sessions.get(sessionIdFrom(request.headers.cookie), Date.now())?.principal;
    if (principal?.kind === 'client') return principal.holder;
    if (principal?.kind === 'representative') return principal.actingFor?.client;
    return undefined;
  };

  const ownerOf = async (type: string, id: string): Promise<string | undefined> => {
    if (type === 'Patient') return id;
    try {
      return patientOf(await repository.read<Resource>(type, id));
    } catch {
      return undefined;
    }
  };

  app.addHook('preHandler', async (request, reply) => {
    const [path, query = ''] = request.url.split('?') as [string, string?];
    if (path !== fhirPath && !path.startsWith(`${fhirPath}/`)) return;
    const segments = path.slice(fhirPath.length).split('/').filter(Boolean);
    if (segments.length > 0 && OPEN.has(segments[0])) return;
    const client = clientOf(request);
    if (!client) return;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      // Her diary entries (client-diary.ts checks and completes them); nothing else.
      if (request.method === 'POST' && path === `${fhirPath}/Observation`) return;
      return outcome(reply, 403, 'forbidden', 'Als cliënt voegt u hier alleen dagboekberichten toe.');
    }
    const patient = await options.patientOf(client);
    const [type, id, operation] = segments as [string?, string?, string?];
    if (!type || type.startsWith('_') || (id === '_history' && !operation))
      return outcome(reply, 403, 'forbidden', 'Als cliënt ziet u hier alleen uw eigen gegevens.');
    if (id !== undefined) {
      if (!patient || (await ownerOf(type, id)) !== patient)
        return outcome(reply, 404, 'not-found', 'Niet gevonden.');
      return;
    }
    if (!patient)
      return reply
        .type('application/fhir+json')
        .send({ resourceType: 'Bundle', type: 'searchset', entry: [] });
    const params = new URLSearchParams(query);
    for (const name of WHOSE) params.delete(name);
    params.set(type === 'Patient' ? '_id' : 'patient', type === 'Patient' ? patient : `Patient/${patient}`);
    // The FHIR routes read their parameters from the URL: the search is now about her.
    request.raw.url = `${path}?${params}`;
  });
}
