// Break-the-glass reasons stay where they were recorded. The holder's `access` statement carries only
// a commitment to the professional's reason (access-record.ts); the reason and its salt are in the
// holder's AuditEvent, whose id is the commitment. The client's own node fetches them for her trail
// and export — with a node token acting for her, like her export — and shows a reason only when it
// opens the commitment on the log.
import type { FastifyInstance } from 'fastify';
import type { AuditEvent } from '@medplum/fhirtypes';
import { type FhirRepository } from '@ketenlog/fhir';
import { requireNodeToken, type NodeTokenVerifier } from '@ketenlog/auth';
import { organisationOfKey, type AccessRecord, type MemberFetch } from '@ketenlog/region';
import { auditIdOfSeal, opensSeal, REASON_DETAIL, SALT_DETAIL } from '../enforcement/access-record.ts';
import { callerActsForClient } from '../portability/portability.ts';
import type { ExchangeLogbook } from './exchange-member.ts';
import { replyOutcome } from '@ketenlog/problem';

/** Holder route: `GET …/<AuditEvent id>?pseudonym=…` → `{ reason, salt }`, for her own node only. */
export const HOLDER_GLASS_PATH = '/exchange/holder/break-the-glass';

const PSEUDONYM = /^[A-Za-z0-9_-]{16,128}$/;
const AUDIT_ID = /^[0-9a-f]{64}$/;

export function glassReasonRoutes(
  app: FastifyInstance,
  options: {
    readonly logbook: ExchangeLogbook;
    readonly repository: FhirRepository;
    readonly verifier: NodeTokenVerifier;
  },
): void {
  const { logbook, repository, verifier } = options;
  app.get<{ Params: { id: string }; Querystring: { pseudonym?: unknown } }>(
    `${HOLDER_GLASS_PATH}/:id`,
    { preHandler: requireNodeToken(verifier) },
    async (request, reply) => {
      const { pseudonym } = request.query;
      if (typeof pseudonym !== 'string' || !PSEUDONYM.test(pseudonym) || !AUDIT_ID.test(request.params.id))
        return replyOutcome(reply, 400, 'invalid', 'geef …/<AuditEvent-id>?pseudonym=<regiopseudoniem>');
      if (!callerActsForClient(logbook.state, request.nodeCaller!, pseudonym, 'export'))
        return replyOutcome(
          reply,
          403,
          'forbidden',
          'Alleen het knooppunt van de cliënt zelf mag dit vragen.',
        );
      const audit = await repository.read<AuditEvent>('AuditEvent', request.params.id).catch(() => undefined);
      const about = audit?.entity?.[0]?.what?.identifier?.value;
      const details = audit?.entity?.flatMap((e) => e.detail ?? []) ?? [];
      const reason = details.find((d) => d.type === REASON_DETAIL)?.valueString;
      const salt = details.find((d) => d.type === SALT_DETAIL)?.valueBase64Binary;
      // Not hers, or not (yet) written: the same answer.
      if (about !== pseudonym || reason === undefined || salt === undefined)
        return replyOutcome(reply, 404, 'not-found', 'Geen reden voor noodtoegang gevonden.');
      return { reason, salt };
    },
  );
}

/**
 * The reason of a break-the-glass access in her trail, from the holder that recorded it, checked
 * against the commitment on the log; undefined when there is none or it cannot be had now.
 */
export function glassReasonOf(options: {
  readonly logbook: ExchangeLogbook;
  readonly fetch: MemberFetch;
  /** A node token acting for her (purpose export) for that member. */
  readonly token: (client: string, audience: string) => Promise<string>;
  readonly timeoutMs?: number;
}): (client: string, record: AccessRecord) => Promise<string | undefined> {
  const { logbook, fetch, token, timeoutMs = 2000 } = options;
  return async (client, record) => {
    const commitment = record.reasonCommitment;
    if (!record.breakTheGlass || !commitment) return undefined;
    const { config, keys } = logbook.state;
    const holder = organisationOfKey(config, keys, record.recordedBy);
    if (!holder) return undefined;
    try {
      const response = await fetch(
        `${holder.node.baseUrl}${HOLDER_GLASS_PATH}/${auditIdOfSeal(commitment)}?pseudonym=${encodeURIComponent(client)}`,
        {
          headers: { authorization: `Bearer ${await token(client, holder.node.baseUrl)}` },
          signal: AbortSignal.timeout(timeoutMs),
        },
      );
      if (!response.ok) {
        await response.body?.cancel();
        return undefined;
      }
      const { reason, salt } = (await response.json()) as { reason?: unknown; salt?: unknown };
      return typeof reason === 'string' && typeof salt === 'string' && opensSeal(commitment, reason, salt)
        ? reason
        : undefined;
    } catch {
      return undefined;
    }
  };
}
