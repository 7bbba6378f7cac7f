// People, not ids, for the portal (issue 17):
// - GET /exchange/me: who this session is, in words — a professional's name, role and organisation;
//   a client's name and birth date from her Patient here; a representative and, once she acts for
//   someone, that client's name. Any session may ask about itself; no session: 401.
// - POST /exchange/people { subjects }: the names and birth dates of this organisation's clients
//   behind region pseudonyms (the subjects of Mijn Zorg Log), for a professional acting for this
//   organisation only — a carer picks "Maria de Vries (12-03-1992)", not "ind-kraamzorg-…-000".
// Nothing here leaves the organisation that already holds the Patient.
import type { FastifyInstance } from 'fastify';
import type { HumanName, Patient } from '@medplum/fhirtypes';
import { type FhirRepository } from '@ketenlog/fhir';
import { requireProfessional, sessionIdFrom, type SessionStore } from '@ketenlog/auth';
import { findOrganisation, uraOf } from '@ketenlog/region';
import type { ExchangeLogbook, ExchangeMembership } from './exchange-member.ts';
import type { PatientDirectory } from './patient-directory.ts';
import { replyOutcome as outcome } from '@ketenlog/problem';

export const ME_PATH = '/exchange/me';
export const PEOPLE_PATH = '/exchange/people';
/** Subjects per request (a care organisation's open care files fit easily). */
const MAX_SUBJECTS = 500;

export interface Person {
  readonly name: string;
  readonly birthDate?: string;
}

/** The name a person goes by: the text, else given names and family name. */
export function nameOf(names: readonly HumanName[] | undefined): string | undefined {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  if (!n) return undefined;
  const text = n.text ?? [...(n.given ?? []), n.family].filter(Boolean).join(' ');
  return text || undefined;
}

export async function peopleRoutes(
  app: FastifyInstance,
  options: {
    readonly membership: ExchangeMembership;
    readonly logbook: ExchangeLogbook;
    readonly repository: FhirRepository;
    readonly directory: PatientDirectory;
    readonly sessions: SessionStore;
    /** Whether a representative's delegation on the logbook lets her read her client's record. */
    readonly representativeMayRead?: (client: string, representative: string) => boolean;
  },
): Promise<void> {
  const { membership, logbook, repository, directory, sessions } = options;
  const { organisation } = membership;

  /** The person behind a region pseudonym, from her Patient at this organisation. */
  const personOf = async (subject: string): Promise<Person | undefined> => {
    for (const id of await directory.patientsOf(subject).catch(() => [])) {
      const patient = await repository.read<Patient>('Patient', id).catch(() => undefined);
      const name = nameOf(patient?.name);
      if (name) return { name, ...(patient?.birthDate ? { birthDate: patient.birthDate } : {}) };
    }
    return undefined;
  };

  app.get(ME_PATH, async (request, reply) => {
    const p = (await sessions.get(sessionIdFrom(request.headers.cookie), Date.now()))?.principal;
    if (!p) return outcome(reply, 401, 'login', 'Niet ingelogd.');
    reply.header('cache-control', 'no-store');
    if (p.kind === 'professional') {
      const state = logbook.state;
      const professional = state.config.professionals.find((x) => x.id === p.id);
      const ura = p.actingAs ? (uraOf(p.actingAs.organisation) ?? p.actingAs.organisation) : undefined;
      const named = ura ? findOrganisation(state.config, ura)?.name : undefined;
      return {
        kind: 'professional',
        name: professional?.name ?? p.id.replace(/^pro:/, ''),
        ...(p.actingAs ? { role: p.actingAs.role } : {}),
        ...(ura ? { organisation: { ura, ...(named ? { name: named } : {}) } } : {}),
      };
    }
    // A client's records here name no source: they are this organisation's.
    const here = { ura: organisation.ura, name: organisation.name };
    if (p.kind === 'client') {
      const me = await personOf(p.holder);
      return { kind: 'client', ...(me ?? {}), organisation: here };
    }
    if (p.kind === 'representative') {
      // Her client's name and birth date come from the record: only under a delegation that reaches it.
      const reads = p.actingFor && options.representativeMayRead?.(p.actingFor.client, p.holder);
      const client = p.actingFor && reads ? await personOf(p.actingFor.client) : undefined;
      return {
        kind: 'representative',
        ...(p.actingFor ? { actingFor: client ?? {} } : {}),
        organisation: here,
      };
    }
    return { kind: p.kind };
  });

  app.post<{ Body: { subjects?: unknown } | undefined }>(PEOPLE_PATH, async (request, reply) => {
    const actor = await requireProfessional(sessions, request, reply, Date.now(), `ura:${organisation.ura}`);
    if (!actor) return reply;
    const subjects = request.body?.subjects;
    if (
      !Array.isArray(subjects) ||
      subjects.length > MAX_SUBJECTS ||
      !subjects.every((s) => typeof s === 'string' && s.length > 0 && s.length <= 200)
    )
      return outcome(
        reply,
        400,
        'invalid',
        `geef { subjects: [...] } met ten hoogste ${MAX_SUBJECTS} pseudoniemen`,
      );
    const unique = [...new Set(subjects as string[])];
    const found = await Promise.all(
      unique.map(async (subject) => ({ subject, person: await personOf(subject) })),
    );
    reply.header('cache-control', 'no-store');
    return {
      people: found.flatMap(({ subject, person }) => (person ? [{ subject, ...person }] : [])),
    };
  });
}
