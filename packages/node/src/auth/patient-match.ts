// FHIR `Patient/$match` (R4, Patient-match operation) for professionals of this organisation:
// before creating a Patient, she asks which stored Patients may be the same person, each graded
// (see matchPatients). Only a professional acting for this node's organisation may ask; a match
// discloses who is in the store.
import type { FastifyInstance } from 'fastify';
import type { Parameters, Patient } from '@medplum/fhirtypes';
import { matchPatients, type FhirRepository } from '@ketenlog/fhir';
import { requireProfessional, type SessionStore } from '@ketenlog/auth';
import { FHIR_JSON, replyOutcome } from '@ketenlog/problem';

export interface PatientMatchOptions {
  readonly repository: FhirRepository;
  readonly sessions: SessionStore;
  /** `ura:<URA>` of this node's organisation. */
  readonly organisation: string;
  /** The FHIR base URL the answer's fullUrls use, e.g. http://127.0.0.1:8101/fhir. */
  readonly fhirBase: string;
  readonly now?: () => number;
}

const MAX_COUNT = 50;

export async function patientMatchRoutes(app: FastifyInstance, options: PatientMatchOptions): Promise<void> {
  const now = options.now ?? Date.now;
  app.post('/fhir/Patient/$match', async (request, reply) => {
    if (!(await requireProfessional(options.sessions, request, reply, now(), options.organisation)))
      return reply;
    const body = request.body as Partial<Parameters> | undefined;
    if (body?.resourceType !== 'Parameters' || !Array.isArray(body.parameter))
      return replyOutcome(reply, 400, 'invalid', 'send a Parameters resource with a "resource" parameter');
    const parameter = (name: string) => body.parameter!.find((p) => p?.name === name);
    const patient = parameter('resource')?.resource as Patient | undefined;
    if (patient?.resourceType !== 'Patient')
      return replyOutcome(reply, 400, 'invalid', 'the "resource" parameter must hold a Patient');
    const count = parameter('count')?.valueInteger;
    if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > MAX_COUNT))
      return replyOutcome(reply, 400, 'invalid', `count must be 1 to ${MAX_COUNT}`);
    const only = parameter('onlyCertainMatches')?.valueBoolean;
    const bundle = await matchPatients(options.repository, patient, options.fhirBase, {
      ...(count === undefined ? {} : { count }),
      ...(only === undefined ? {} : { onlyCertainMatches: only }),
    });
    return reply.type(FHIR_JSON).send(bundle);
  });
}
