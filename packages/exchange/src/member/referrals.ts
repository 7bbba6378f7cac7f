// Referrals by notified pull (DESIGN.md "Exchange", issue 5 item 7). A professional refers her
// client to another member: `POST /exchange/referrals {patient, to, reason}` stores a FHIR
// ServiceRequest at her own organisation (the source; indexed like any record) and tells the
// addressee only "there is a referral for you, id X" — a node token and an opaque id, no personal
// data. The addressee answers 202 and pulls the ServiceRequest from the sender's FHIR API with its
// own node token, so the sender's holder guard decides on the client's consent and records the
// access as for any read. The addressee's inbox (`GET /exchange/referrals/inbox`, its
// professionals) lists each referral as received, or as withheld with the reason, or as not
// reachable; a withheld referral is pulled again when asked (`POST …/inbox/<n>/retry`).
import type { FastifyInstance } from 'fastify';
import type { ServiceRequest } from '@medplum/fhirtypes';
import { type FhirRepository } from '@ketenlog/fhir';
import { findOrganisation, type MemberFetch } from '@ketenlog/region';
import {
  issueNodeToken,
  requireNodeToken,
  requireProfessional,
  type NodeTokenVerifier,
  type SessionStore,
} from '@ketenlog/auth';
import { CARE_TYPES } from '../pdp.ts';
import type { Db } from '@ketenlog/storage';
import type { ExchangeMembership } from './exchange-member.ts';
import { replyOutcome } from '@ketenlog/problem';

export const REFERRALS_PATH = '/exchange/referrals';
export const REFERRAL_NOTIFY_PATH = '/exchange/referrals/notify';
export const REFERRAL_INBOX_PATH = '/exchange/referrals/inbox';
const URA_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/ura';
const MAX_REASON = 500;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

const SCHEMA = `CREATE TABLE IF NOT EXISTS exchange_referral_inbox (
  n INTEGER PRIMARY KEY,
  sender TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  received_at TEXT NOT NULL,
  status TEXT NOT NULL,
  detail TEXT NOT NULL,
  referral TEXT,
  UNIQUE (sender, resource_id)
)`;

export type InboxStatus = 'received' | 'withheld' | 'unreachable';

export interface InboxItem {
  readonly n: number;
  /** The referring organisation (URA) and its name. */
  readonly from: { readonly ura: string; readonly name: string };
  readonly receivedAt: string;
  readonly status: InboxStatus;
  /** For a withheld or unreachable referral, why (the sender's answer). */
  readonly detail: string;
  readonly referral?: ServiceRequest;
}

export interface ReferralOptions {
  readonly db: Db;
  readonly membership: ExchangeMembership;
  /** The node's FHIR store as its routes use it (a stored referral is indexed). */
  readonly repository: FhirRepository;
  readonly sessions: SessionStore;
  readonly verifier: NodeTokenVerifier;
  readonly fetch: MemberFetch;
  readonly log: { warn(obj: object, msg: string): void };
  /** Per request to another member. Default 5000 ms. */
  readonly timeoutMs?: number;
}

export async function referralRoutes(app: FastifyInstance, options: ReferralOptions): Promise<void> {
  const { db, membership, repository, sessions, verifier, fetch, log } = options;
  const { organisation, statementKey, region } = membership;
  const timeoutMs = options.timeoutMs ?? 5000;
  await db.exec(SCHEMA);
  const key = { keyId: statementKey.keyId, secretKey: statementKey.secretKey };
  const tokenFor = (audience: string) =>
    issueNodeToken(key, { organisation: organisation.ura, audience, role: 'node', purpose: 'treatment' });

  app.post<{ Body: { patient?: unknown; to?: unknown; reason?: unknown } | undefined }>(
    REFERRALS_PATH,
    async (request, reply) => {
      const actor = await requireProfessional(
        sessions,
        request,
        reply,
        Date.now(),
        `ura:${organisation.ura}`,
      );
      if (!actor) return reply;
      const { patient, to, reason } = request.body ?? {};
      const addressee = typeof to === 'string' ? findOrganisation(region, to) : undefined;
      if (!addressee || addressee.ura === organisation.ura || !CARE_TYPES.includes(addressee.type))
        return replyOutcome(
          reply,
          400,
          'invalid',
          'Verwijs naar een andere zorgorganisatie in de regio (to: URA).',
        );
      if (typeof reason !== 'string' || !reason.trim() || reason.length > MAX_REASON)
        return replyOutcome(reply, 400, 'invalid', `Geef een reden (hoogstens ${MAX_REASON} tekens).`);
      if (typeof patient !== 'string' || !FHIR_ID.test(patient))
        return replyOutcome(reply, 400, 'invalid', 'Geef de cliënt op (patient: Patient-id).');
      const known = await repository.read('Patient', patient).then(
        () => true,
        () => false,
      );
      if (!known) return replyOutcome(reply, 404, 'not-found', 'Deze cliënt is hier niet bekend.');
      const { resource } = await repository.create<ServiceRequest>({
        resourceType: 'ServiceRequest',
        status: 'active',
        intent: 'order',
        category: [{ text: 'Verwijzing' }],
        subject: { reference: `Patient/${patient}` },
        authoredOn: new Date().toISOString(),
        requester: { identifier: { value: actor.professional }, display: actor.professional },
        performer: [{ identifier: { system: URA_SYSTEM, value: addressee.ura }, display: addressee.name }],
        reasonCode: [{ text: reason.trim() }],
      });
      // The thin notification: who (the token) and an opaque id, nothing about her.
      let notified: boolean;
      try {
        const response = await fetch(`${addressee.node.baseUrl}${REFERRAL_NOTIFY_PATH}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${await tokenFor(addressee.node.baseUrl)}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ id: resource.id }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body?.cancel();
        notified = response.status === 202;
      } catch {
        notified = false;
      }
      return reply.code(201).send({ referral: resource, notified });
    },
  );

  /** Pulls one referral from its sender and files the outcome in the inbox. */
  const pull = async (senderUra: string, id: string): Promise<void> => {
    const sender = findOrganisation(region, senderUra)!;
    let status: InboxStatus;
    let detail = '';
    let referral: ServiceRequest | undefined;
    try {
      const response = await fetch(`${sender.node.baseUrl}/fhir/ServiceRequest/${encodeURIComponent(id)}`, {
        headers: {
          authorization: `Bearer ${await tokenFor(sender.node.baseUrl)}`,
          accept: 'application/fhir+json',
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await response.json()) as ServiceRequest | { issue?: { diagnostics?: string }[] };
      if (response.ok && (body as ServiceRequest).resourceType === 'ServiceRequest') {
        status = 'received';
        referral = body as ServiceRequest;
      } else {
        status = 'withheld';
        detail =
          (body as { issue?: { diagnostics?: string }[] }).issue?.[0]?.diagnostics ??
          `HTTP ${response.status}`;
      }
    } catch (error) {
      status = 'unreachable';
      detail = (error as Error).message;
    }
    await db.run(
      `INSERT INTO exchange_referral_inbox (sender, resource_id, received_at, status, detail, referral)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (sender, resource_id) DO UPDATE SET status = excluded.status, detail = excluded.detail,
         referral = excluded.referral`,
      [senderUra, id, new Date().toISOString(), status, detail, referral ? JSON.stringify(referral) : null],
    );
  };

  app.post<{ Body: { id?: unknown } | undefined }>(
    REFERRAL_NOTIFY_PATH,
    { preHandler: requireNodeToken(verifier) },
    async (request, reply) => {
      const id = request.body?.id;
      if (typeof id !== 'string' || !FHIR_ID.test(id))
        return replyOutcome(reply, 400, 'invalid', 'send { "id": "<ServiceRequest id>" }');
      const sender = request.nodeCaller!.organisation.ura;
      // Answered at once: the pull reads the sender's FHIR API, which must not wait on this answer.
      void pull(sender, id).catch((error: unknown) => log.warn({ err: error }, 'referral pull failed'));
      return reply.code(202).send({ pulling: id });
    },
  );

  const inbox = async (): Promise<InboxItem[]> => {
    const rows = await db.all<{
      n: number;
      sender: string;
      received_at: string;
      status: InboxStatus;
      detail: string;
      referral: string | null;
    }>(
      'SELECT n, sender, received_at, status, detail, referral FROM exchange_referral_inbox ORDER BY n DESC LIMIT 200',
    );
    return rows.map((r) => ({
      n: Number(r.n),
      from: { ura: r.sender, name: findOrganisation(region, r.sender)?.name ?? r.sender },
      receivedAt: r.received_at,
      status: r.status,
      detail: r.detail,
      ...(r.referral ? { referral: JSON.parse(r.referral) as ServiceRequest } : {}),
    }));
  };

  app.get(REFERRAL_INBOX_PATH, async (request, reply) => {
    if (!(await requireProfessional(sessions, request, reply, Date.now(), `ura:${organisation.ura}`)))
      return reply;
    return { referrals: await inbox() };
  });

  app.post<{ Params: { n: string } }>(`${REFERRAL_INBOX_PATH}/:n/retry`, async (request, reply) => {
    if (!(await requireProfessional(sessions, request, reply, Date.now(), `ura:${organisation.ura}`)))
      return reply;
    const [row] = await db.all<{ sender: string; resource_id: string }>(
      'SELECT sender, resource_id FROM exchange_referral_inbox WHERE n = ?',
      [Number(request.params.n)],
    );
    if (!row) return replyOutcome(reply, 404, 'not-found', 'Deze verwijzing staat niet in de inbox.');
    await pull(row.sender, row.resource_id);
    return (await inbox()).find((item) => item.n === Number(request.params.n));
  });
}
