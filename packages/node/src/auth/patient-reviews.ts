// Patients held for review (`patientIdentity: { onConflict: review }`): an administrator of this
// organisation — a professional acting for it in one of the configured reviewer roles — lists
// them and decides each one (see PatientIdentityRepository.decideReview):
//   GET  /admin/patient-reviews[?status=pending|new-person|merged|rejected]
//   GET  /admin/patient-reviews/:id
//   POST /admin/patient-reviews/:id/decision  { decision: new-person, bsn } | { decision: merge | reject }
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PatientIdentityRepository, PatientReviewQueue, ReviewStatus } from '@ketenlog/fhir';
import { requireProfessional, type SessionStore } from '@ketenlog/auth';
import { replyOutcome } from '@ketenlog/problem';

export interface PatientReviewOptions {
  readonly identity: PatientIdentityRepository;
  readonly queue: PatientReviewQueue;
  readonly sessions: SessionStore;
  /** `ura:<URA>` of this node's organisation. */
  readonly organisation: string;
  /** The roles that may decide (configuration `patientIdentity.reviewers`). */
  readonly reviewers: readonly string[];
}

export const PATIENT_REVIEWS_PATH = '/admin/patient-reviews';
const STATUSES: readonly ReviewStatus[] = ['pending', 'deciding', 'new-person', 'merged', 'rejected'];
const DECISIONS = ['new-person', 'merge', 'reject'] as const;
const ID = /^[0-9a-f-]{36}$/;

export async function patientReviewRoutes(
  app: FastifyInstance,
  options: PatientReviewOptions,
): Promise<void> {
  const { identity, queue, sessions, organisation, reviewers } = options;

  /** The reviewer's id, or undefined once refused (401 not logged in, 403 not a reviewer here). */
  const reviewer = async (request: FastifyRequest, reply: FastifyReply) => {
    const actor = await requireProfessional(sessions, request, reply, Date.now(), organisation);
    if (!actor) return undefined;
    if (!reviewers.includes(actor.actingAs.role)) {
      replyOutcome(
        reply,
        403,
        'forbidden',
        `only ${reviewers.join(' or ')} of ${organisation} decide patient reviews`,
      );
      return undefined;
    }
    return actor.professional;
  };

  app.get<{ Querystring: { status?: string } }>(PATIENT_REVIEWS_PATH, async (request, reply) => {
    if (!(await reviewer(request, reply))) return reply;
    const status = request.query.status;
    if (status !== undefined && !(STATUSES as readonly string[]).includes(status))
      return replyOutcome(reply, 400, 'invalid', `status is one of ${STATUSES.join(', ')}`);
    return { reviews: await queue.list(status as ReviewStatus | undefined) };
  });

  app.get<{ Params: { id: string } }>(`${PATIENT_REVIEWS_PATH}/:id`, async (request, reply) => {
    if (!(await reviewer(request, reply))) return reply;
    const review = ID.test(request.params.id) ? await queue.get(request.params.id) : undefined;
    if (!review) return replyOutcome(reply, 404, 'not-found', 'no such patient review');
    return review;
  });

  app.post<{ Params: { id: string } }>(`${PATIENT_REVIEWS_PATH}/:id/decision`, async (request, reply) => {
    const by = await reviewer(request, reply);
    if (!by) return reply;
    const body = request.body as { decision?: unknown; bsn?: unknown } | undefined;
    const decision = body?.decision;
    if (
      !(DECISIONS as readonly unknown[]).includes(decision) ||
      (body?.bsn !== undefined && typeof body.bsn !== 'string')
    )
      return replyOutcome(
        reply,
        400,
        'invalid',
        'send { decision: "new-person", bsn: "<her own BSN>" }, { decision: "merge" } or { decision: "reject" }',
      );
    if (!ID.test(request.params.id)) return replyOutcome(reply, 404, 'not-found', 'no such patient review');
    const result = await identity.decideReview(
      request.params.id,
      decision as (typeof DECISIONS)[number],
      by,
      body?.bsn as string | undefined,
    );
    if (!result.ok) throw result.error;
    return queue.get(request.params.id);
  });
}
