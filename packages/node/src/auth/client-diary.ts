// The client's diary at her own node: her portal session (passkey login) may POST one kind of FHIR
// resource, a diary entry (packages/auth smart/diary.ts), to /fhir/Observation. The node makes it
// hers — subject and performer her own Patient here, the self-reported tag, the time if absent —
// before the FHIR store sees it; anything else from a client session is refused. Her searches from
// that session are about her own records only (client-fhir-scope.ts). Share the diary through
// consent for "self-measurements".
import type { FastifyInstance } from 'fastify';
import { isDiaryEntry, PROVENANCE_SYSTEM, SELF_REPORTED } from '@ketenlog/auth';
import { replyOutcome } from '@ketenlog/problem';

export function registerClientDiary(app: FastifyInstance): void {
  app.addHook('preHandler', async (request, reply) => {
    const access = request.fhirAccess;
    if (access?.caller.kind !== 'client' || access.interaction.kind !== 'create') return;
    const body = request.body;
    if (!isDiaryEntry(body))
      return replyOutcome(
        reply,
        403,
        'forbidden',
        'Als cliënt voegt u hier alleen dagboekberichten toe (1 tot 2000 tekens).',
      );
    const patient = access.compartment?.patient;
    if (patient === undefined)
      return replyOutcome(reply, 404, 'not-found', 'U bent bij deze organisatie niet bekend als cliënt.');
    const entry = body as unknown as Record<string, unknown>;
    const meta = (entry['meta'] as { tag?: { system?: string }[] } | undefined) ?? {};
    const at = Date.parse(String(entry['effectiveDateTime']));
    entry['subject'] = { reference: `Patient/${patient}` };
    entry['performer'] = [{ reference: `Patient/${patient}` }];
    entry['status'] = 'final';
    entry['effectiveDateTime'] = new Date(Number.isNaN(at) ? Date.now() : at).toISOString();
    entry['meta'] = {
      tag: [...(meta.tag ?? []).filter((t) => t.system !== PROVENANCE_SYSTEM), SELF_REPORTED],
    };
  });
}
