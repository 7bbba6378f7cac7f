// A client's portal session (or a representative's, acting for her) on the node's FHIR API sees
// her own records only. The access decision (access/fhir-access.ts) has already established who
// she is, that the request is a read, a search, her instance history or `$everything` (or, for
// herself, a diary entry: client-diary.ts), and whose compartment she may see; here a read,
// history or `$everything` of anything not hers is 404, so nothing about others is disclosed, and a
// search is made about her Patient (`patient=`, or `_id=` for Patient), replacing whatever the
// request named. Whatever the answer then holds is checked against her compartment once more,
// resource by resource, before it leaves.
import type { FastifyInstance } from 'fastify';
import type { Resource } from '@medplum/fhirtypes';
import { type FhirRepository } from '@ketenlog/fhir';
import { patientOf } from '@ketenlog/exchange';
import { replyOutcome as outcome } from '@ketenlog/problem';

export interface ClientFhirScopeOptions {
  readonly repository: FhirRepository;
}

/** Search parameters that name whose records a search is about. */
const WHOSE = ['patient', 'subject', '_id'];

export function registerClientFhirScope(app: FastifyInstance, options: ClientFhirScopeOptions): void {
  const { repository } = options;

  const ownerOf = async (type: string, id: string): Promise<string | undefined> => {
    if (type === 'Patient') return id;
    try {
      return patientOf(await repository.read<Resource>(type, id));
    } catch {
      return undefined;
    }
  };

  app.addHook('preHandler', async (request, reply) => {
    const access = request.fhirAccess;
    if (access?.caller.kind !== 'client' && access?.caller.kind !== 'representative') return;
    const { interaction } = access;
    const patient = access.compartment?.patient;
    switch (interaction.kind) {
      case 'create':
        return; // her diary entry: client-diary.ts checks and completes it
      case 'read':
      case 'vread':
      case 'history-instance':
      case 'operation':
        if (!patient || !interaction.type || !interaction.id)
          return outcome(reply, 404, 'not-found', 'Niet gevonden.');
        if ((await ownerOf(interaction.type, interaction.id)) !== patient)
          return outcome(reply, 404, 'not-found', 'Niet gevonden.');
        return;
      case 'search-type': {
        if (!patient)
          return reply
            .type('application/fhir+json')
            .send({ resourceType: 'Bundle', type: 'searchset', entry: [] });
        const [path, query = ''] = request.url.split('?') as [string, string?];
        const params = new URLSearchParams(query);
        for (const name of WHOSE) params.delete(name);
        const own = interaction.type === 'Patient';
        params.set(own ? '_id' : 'patient', own ? patient : `Patient/${patient}`);
        // The FHIR routes read their parameters from the URL: the search is now about her.
        request.raw.url = `${path}?${params}`;
        return;
      }
      default:
        return outcome(reply, 403, 'forbidden', 'Als cliënt ziet u hier alleen uw eigen gegevens.');
    }
  });
}
