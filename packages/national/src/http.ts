// What the national interfaces share over HTTP: who may call them (decided by the node, which
// knows its credentials), and FHIR errors as OperationOutcomes in their own encapsulated scope.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { installContentParsers } from '@ketenlog/fhir';
import { installErrorHandlers, ProblemError, type Result } from '@ketenlog/problem';

/** A verified caller of a national interface: the organisation it acts for and its system. */
export interface NationalCaller {
  /** URA (8 digits) of the organisation the caller acts for. */
  readonly ura: string;
  /** The calling system: an OAuth client id, or a member node's id. */
  readonly clientId: string;
  /** Whether it may register (write) — an organisation's systems and nodes, not a person's session. */
  readonly mayWrite: boolean;
}

/** The verified caller, or why not: 401 `login` (no or an unknown credential), 403 `forbidden`. */
export type Authorization = Result<NationalCaller, 'login' | 'forbidden'>;

/** Decides who calls; default deny. The node resolves its credentials; a stand-in its own. */
export type Authorize = (request: FastifyRequest) => Promise<Authorization>;

/** FHIR JSON bodies and OperationOutcome errors inside one plugin's scope. */
export function fhirScope(app: FastifyInstance): void {
  installContentParsers(app);
  installErrorHandlers(app);
}

/** A pre-handler that puts the verified caller on the request, or answers 401/403. */
export function requireCaller(authorize: Authorize) {
  return async (request: FastifyRequest): Promise<void> => {
    const result = await authorize(request);
    if (!result.ok) throw ProblemError.of(result.problem);
    request.nationalCaller = result.value;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    nationalCaller?: NationalCaller;
  }
}
