// The holder side: one Fastify hook pair that applies the PDP to every answer of the FHIR routes
// for a node-token caller (read, search pages, _include/_revinclude, history, $everything): the
// preHandler binds the caller to a decider, the preSerialization hook filters what goes out,
// drops Bundle.total, and records one access per answer (AuditEvent + `access` statement).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { ConsentRegister } from '@ketenlog/region';
import type { AccessRequest } from '../pdp.ts';
import { deciderFor, filterBundle, guardRead, type ResourceDecider } from '../enforcement/filter.ts';

export interface GuardCaller {
  readonly base: Omit<AccessRequest, 'category' | 'subject'>;
  readonly accessor: string;
}

export interface HolderGuardOptions {
  /** The authenticated node caller, or undefined for calls the guard does not govern (own staff). */
  readonly caller: (request: FastifyRequest) => GuardCaller | undefined;
  /** The pseudonym of the client a request is about (undefined: refuse — no unscoped calls). */
  readonly subjectOf: (request: FastifyRequest, payload: unknown) => string | undefined;
  readonly consents: () => ConsentRegister;
  /** Called once per answer with what was disclosed and withheld (write audit + access here). */
  readonly record?: (event: {
    caller: GuardCaller;
    subject: string;
    withheld: number;
    disclosed: readonly Resource[];
  }) => void;
}

const forbidden = (diagnostics: string) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'forbidden', diagnostics }],
});

/** Registers the guard on an app (or an encapsulated FHIR route context). */
export function registerHolderGuard(app: FastifyInstance, options: HolderGuardOptions): void {
  app.addHook('preSerialization', async (request, reply, payload: unknown) => {
    const caller = options.caller(request);
    if (!caller || reply.statusCode >= 400) return payload;
    const subject = options.subjectOf(request, payload);
    if (!subject) {
      reply.code(403);
      return forbidden('Geen cliënt in de vraag: alleen vragen over één cliënt zijn toegestaan.');
    }
    const decide: ResourceDecider = deciderFor({ ...caller.base, subject }, options.consents());
    const resource = payload as Resource | undefined;
    if (resource?.resourceType === 'Bundle') {
      const { result, withheld } = filterBundle(resource as Bundle, decide);
      options.record?.({
        caller,
        subject,
        withheld,
        disclosed: (result.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])),
      });
      return result;
    }
    if (resource?.resourceType && resource.resourceType !== 'OperationOutcome') {
      const read = guardRead(resource, decide);
      options.record?.({ caller, subject, withheld: read.ok ? 0 : 1, disclosed: read.ok ? [resource] : [] });
      if (read.ok) return resource;
      reply.code(403);
      return forbidden(read.decision.reason);
    }
    return payload;
  });
}
