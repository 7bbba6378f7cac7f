// This node as a MedMij DVZA for its clients' PGOs (issue 22 item 5), beside SMART App Launch:
// a PGO registered under `apps:` takes the authorization code flow at the node's authorization
// server (/oidc: her DigiD check and passkey login, her consent, PKCE, a code that works once) and
// then fetches the BgZ gegevensdienst at `GET /medmij/fhir/<BgZ query>` — the published BgZ 2017
// searches and nothing else, answered from her own records only. Every request to the token
// endpoint and to the gegevensdienst may carry a `MedMij-Request-ID` (the gegevensdienst requires
// one): it is logged and returned on the answer; a malformed one is refused.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Bundle } from '@medplum/fhirtypes';
import { type FhirRepository } from '@ketenlog/fhir';
import { patientScopePermits, type SmartAccess } from '@ketenlog/auth';
import {
  BGZ_GEGEVENSDIENST,
  bgzAnswer,
  bgzQueryOf,
  bgzSearch,
  MEDMIJ_REQUEST_ID,
  medmijRequestId,
} from '@ketenlog/national';
import { OIDC_PATH } from '../auth/node-smart.ts';
import { replyOutcome } from '@ketenlog/problem';

export const MEDMIJ_FHIR_PATH = '/medmij/fhir';

export interface MedmijOptions {
  readonly repository: FhirRepository;
  /** The node's app-token resolver (SMART: her Patient and the granted scopes), once it exists. */
  readonly appTokens: (token: string) => Promise<SmartAccess | undefined>;
  /** The public base of this node, for the answers' fullUrls. */
  readonly baseUrl: string;
}

/** Logs the id and returns it on the answer (set on the raw response: it survives any writer). */
function answerRequestId(id: string, reply: FastifyReply): void {
  reply.raw.setHeader('MedMij-Request-ID', id);
  reply.request.log.info({ medmijRequestId: id, url: reply.request.url.split('?')[0] }, 'medmij: request');
}

export async function registerMedmij(app: FastifyInstance, options: MedmijOptions): Promise<void> {
  const { repository, appTokens } = options;
  // The token endpoint is oidc-provider's (it writes the raw response): the id goes on first.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith(`${OIDC_PATH}/token`)) return;
    const id = medmijRequestId(request.headers[MEDMIJ_REQUEST_ID]);
    if (id === null)
      return reply
        .code(400)
        .type('application/json')
        .send({ error: 'invalid_request', error_description: 'MedMij-Request-ID is geen UUID' });
    if (id !== undefined) answerRequestId(id, reply);
  });

  app.get(`${MEDMIJ_FHIR_PATH}/*`, async (request, reply) => {
    const id = medmijRequestId(request.headers[MEDMIJ_REQUEST_ID]);
    if (id === null || id === undefined)
      return replyOutcome(reply, 400, 'required', 'Geef een MedMij-Request-ID (UUID) mee.');
    answerRequestId(id, reply);
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const access = bearer ? await appTokens(bearer) : undefined;
    if (!access) {
      reply.header('www-authenticate', 'Bearer');
      return replyOutcome(reply, 401, 'login', 'Geen geldig toegangstoken.');
    }
    const [path = '', search = ''] = request.url.slice(MEDMIJ_FHIR_PATH.length + 1).split('?');
    const query = bgzQueryOf({ path: decodeURIComponent(path), params: [...new URLSearchParams(search)] });
    if (!query)
      return replyOutcome(
        reply,
        403,
        'forbidden',
        `Alleen de zoekvragen van de BgZ (gegevensdienst ${BGZ_GEGEVENSDIENST}) worden hier beantwoord.`,
      );
    if (!patientScopePermits(access.scope, query.r4.type, 's'))
      return replyOutcome(reply, 403, 'forbidden', `Het token geeft geen leestoegang tot ${query.r4.type}.`);
    const { type, params } = bgzSearch(query, access.patient);
    const searchset: Bundle = await repository.search({
      resourceType: type,
      params: params.map(([n, v]) => [n, v]),
      baseUrl: `${options.baseUrl.replace(/\/$/, '')}/fhir`,
    });
    return reply.type('application/fhir+json').send(bgzAnswer(query, searchset));
  });
}
