// Mijn Zorg Log over HTTP (a Fastify plugin; register it under a prefix such as /carelog). JSON
// in and out; a refusal is thrown as a ProblemError (a Dutch text and Mijn Zorg Log's code), which
// the server's one error handler (@ketenlog/problem) answers as an OperationOutcome. Who may call
// which route is decided by the injected `authorise`, so the node wires its sessions in.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentIndication } from '@ketenlog/region';
import { parseEntry, parseReceipt, type SignedStatement } from '@ketenlog/logbook';
import { carerOverview, clientOverview } from './care-administration.ts';
import { PAYMENT_STATUSES, type PaymentStatus } from './care-file.ts';
import { CARE_PACKAGES, type CarePackage } from './care-protocol.ts';
import type { CarelogService, ReceiptedEntry } from './carelog-service.ts';
import { declarationsCsv, entriesCsv } from './csv-export.ts';
import { chargeItemOf, claimOf, collection, provenanceOf } from './fhir-export.ts';
import type { ReindicationInput } from './indication.ts';
import type { Outcome } from './problem.ts';
import { problem, ProblemError } from '@ketenlog/problem';

/** What a request wants to do, for the node's access decision. */
export type CarelogAction =
  | { readonly action: 'indication.write' | 'indication.read'; readonly indication?: string }
  | { readonly action: 'entry.write' }
  | { readonly action: 'approval.write' }
  | { readonly action: 'carer.read'; readonly carer: string }
  | { readonly action: 'insurer.read' | 'insurer.write'; readonly insurer: string };

/** undefined: allowed; a string: refused (403) with that Dutch reason. */
export type Authorise = (
  request: FastifyRequest,
  action: CarelogAction,
) => Promise<string | undefined> | string | undefined;

export interface CarelogRoutesOptions {
  readonly service: CarelogService;
  /** `ura:<URA>` of this kraamzorg organisation. */
  readonly provider: string;
  readonly authorise: Authorise;
}

const ID = '^[A-Za-z0-9._:/-]{1,200}$';
const HASH = '^[A-Za-z0-9+/]{43}=$';
const URA = '^[0-9]{8}$';
const PRO = '^pro:[A-Za-z0-9._-]{1,100}$';
const DATE = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';
const TIME = '^[0-9]{2}:[0-9]{2}$';

const str = (pattern?: string, maxLength = 500) => ({
  type: 'string',
  maxLength,
  ...(pattern ? { pattern } : {}),
});
const object = (properties: Record<string, object>, required: string[]) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});
const envelope = { type: 'object' };

function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw ProblemError.of(outcome.problem);
  return outcome.value;
}

function envelopesOf(entry: ReceiptedEntry): { entry?: SignedStatement; approval?: SignedStatement } {
  const open = (receipt?: string) => {
    if (!receipt) return undefined;
    const extra = parseReceipt(receipt).extra;
    const parsed = extra ? parseEntry(extra) : undefined;
    return parsed?.ok ? parsed.value : undefined;
  };
  const e = open(entry.entryReceipt);
  const a = open(entry.approvalReceipt);
  return { ...(e ? { entry: e } : {}), ...(a ? { approval: a } : {}) };
}

export async function carelogRoutes(app: FastifyInstance, options: CarelogRoutesOptions): Promise<void> {
  const { service, provider, authorise } = options;

  const allow = async (request: FastifyRequest, action: CarelogAction) => {
    const refused = await authorise(request, action);
    if (refused !== undefined) throw problem(403, 'forbidden', refused);
  };
  const csv = (reply: FastifyReply, name: string, text: string) =>
    reply
      .type('text/csv; charset=utf-8; header=present')
      .header('content-disposition', `attachment; filename="${name}.csv"`)
      .send(text);
  const insurerRef = (ura: string) => `ura:${ura}`;

  type IdParams = { Params: { id: string } };
  const idParams = { params: object({ id: str(ID) }, ['id']) };

  // --- indications and budget ---

  app.post<{
    Body: {
      indication: string;
      subject: string;
      birthDate: string;
      carePackage: CarePackage;
      hours?: number;
      days: number;
      carers: string[];
    };
  }>(
    '/indications',
    {
      schema: {
        body: object(
          {
            indication: str(ID),
            subject: str('^[A-Za-z0-9_-]{16,128}$'),
            birthDate: str(DATE),
            carePackage: { type: 'string', enum: [...CARE_PACKAGES] },
            hours: { type: 'integer' },
            days: { type: 'integer' },
            carers: { type: 'array', maxItems: 50, items: str(PRO) },
          },
          ['indication', 'subject', 'birthDate', 'carePackage', 'days', 'carers'],
        ),
      },
    },
    async (request, reply) => {
      await allow(request, { action: 'indication.write', indication: request.body.indication });
      const logged = unwrap(await service.recordIndication({ ...request.body, provider }));
      return reply.code(201).send({ ...logged, budget: unwrap(service.budget(request.body.indication)) });
    },
  );

  app.post<IdParams & { Body: ReindicationInput }>(
    '/indications/:id/reindications',
    {
      schema: {
        ...idParams,
        body: object(
          {
            hours: { type: 'integer' },
            reason: { type: 'string', enum: ['verloskundige', 'ziekenhuisopname', 'overig'] },
            note: str(undefined, 500),
          },
          ['hours', 'reason'],
        ),
      },
    },
    async (request, reply) => {
      await allow(request, { action: 'indication.write', indication: request.params.id });
      const logged = unwrap(await service.reindicate(request.params.id, request.body));
      return reply.code(201).send({ ...logged, budget: unwrap(service.budget(request.params.id)) });
    },
  );

  // The care files the caller may read (the client: hers; the care administration and carers:
  // this organisation's), each as its overview; the same access rule as one indication.
  app.get('/indications', async (request) => {
    const indications = [];
    for (const file of service.files.files()) {
      if (
        (await authorise(request, { action: 'indication.read', indication: file.indication })) !== undefined
      )
        continue;
      const overview = clientOverview(service, file.indication);
      if (overview.ok) indications.push(overview.value);
    }
    return { indications };
  });

  app.get<IdParams>('/indications/:id', { schema: idParams }, async (request) => {
    await allow(request, { action: 'indication.read', indication: request.params.id });
    return unwrap(clientOverview(service, request.params.id));
  });

  app.get<IdParams>('/indications/:id/budget', { schema: idParams }, async (request) => {
    await allow(request, { action: 'indication.read', indication: request.params.id });
    return unwrap(service.budget(request.params.id));
  });

  app.get<IdParams>('/indications/:id/entries.csv', { schema: idParams }, async (request, reply) => {
    await allow(request, { action: 'indication.read', indication: request.params.id });
    unwrap(service.budget(request.params.id));
    return csv(reply, `uren-${request.params.id}`, entriesCsv(service.entries(request.params.id)));
  });

  app.get<IdParams>('/indications/:id/fhir', { schema: idParams }, async (request, reply) => {
    await allow(request, { action: 'indication.read', indication: request.params.id });
    unwrap(service.budget(request.params.id));
    const items = service.entries(request.params.id).map((e) => chargeItemOf(e, provider));
    return reply.type('application/fhir+json').send(collection(items));
  });

  // --- entries (the carer) ---

  app.post<
    IdParams & {
      Body: {
        carerKeyId: string;
        date: string;
        start: string;
        end: string;
        activities: string[];
        supersedes?: string;
      };
    }
  >(
    '/indications/:id/entry-drafts',
    {
      schema: {
        ...idParams,
        body: object(
          {
            carerKeyId: str(ID),
            date: str(DATE),
            start: str(TIME),
            end: str(TIME),
            activities: { type: 'array', maxItems: 20, items: str(ID) },
            supersedes: str(HASH),
          },
          ['carerKeyId', 'date', 'start', 'end', 'activities'],
        ),
      },
    },
    async (request) => {
      await allow(request, { action: 'entry.write' });
      const { carerKeyId, supersedes, ...visit } = request.body;
      return unwrap(service.draftEntry(request.params.id, carerKeyId, visit, supersedes));
    },
  );

  app.post<{ Body: { envelope: unknown; supersedes?: string } }>(
    '/entries',
    { schema: { body: object({ envelope, supersedes: str(HASH) }, ['envelope']) } },
    async (request, reply) => {
      await allow(request, { action: 'entry.write' });
      return reply
        .code(201)
        .send(unwrap(await service.submitEntry(request.body.envelope, request.body.supersedes)));
    },
  );

  // --- approvals (the client or her delegate) ---

  app.post<{
    Body: { entry: string; signerKeyId: string; decision: 'approved' | 'rejected'; reason?: string };
  }>(
    '/approval-drafts',
    {
      schema: {
        body: object(
          {
            entry: str(HASH),
            signerKeyId: str(ID),
            decision: { type: 'string', enum: ['approved', 'rejected'] },
            reason: str(undefined, 500),
          },
          ['entry', 'signerKeyId', 'decision'],
        ),
      },
    },
    async (request) => {
      await allow(request, { action: 'approval.write' });
      const { entry, signerKeyId, decision, reason } = request.body;
      return unwrap(service.draftApproval(entry, signerKeyId, decision, reason));
    },
  );

  app.post<{ Body: { envelope: unknown } }>(
    '/approvals',
    { schema: { body: object({ envelope }, ['envelope']) } },
    async (request, reply) => {
      await allow(request, { action: 'approval.write' });
      return reply.code(201).send(unwrap(await service.submitApproval(request.body.envelope)));
    },
  );

  // --- per carer ---

  type CarerParams = { Params: { carer: string } };
  const carerParams = { params: object({ carer: str(PRO) }, ['carer']) };

  // A carer binds the Ed25519 key on her own device: she must be a kraamverzorgende here (entry
  // rights) and the carer named (her own overview's rule), so no one binds a key for another.
  app.post<CarerParams & { Body: { publicKey: string } }>(
    '/carers/:carer/keys',
    { schema: { ...carerParams, body: object({ publicKey: str('^[A-Za-z0-9+/]{43}=$') }, ['publicKey']) } },
    async (request, reply) => {
      await allow(request, { action: 'entry.write' });
      await allow(request, { action: 'carer.read', carer: request.params.carer });
      return reply
        .code(201)
        .send(unwrap(await service.bindCarerKey(provider, request.params.carer, request.body.publicKey)));
    },
  );
  app.get<CarerParams>('/carers/:carer', { schema: carerParams }, async (request) => {
    await allow(request, { action: 'carer.read', carer: request.params.carer });
    return carerOverview(service, request.params.carer);
  });
  app.get<CarerParams>('/carers/:carer/entries.csv', { schema: carerParams }, async (request, reply) => {
    await allow(request, { action: 'carer.read', carer: request.params.carer });
    const name = `uren-${request.params.carer.replace(/[^A-Za-z0-9-]/g, '-')}`;
    return csv(reply, name, entriesCsv(service.carerEntries(request.params.carer)));
  });

  // --- the insurer ---

  type UraParams = { Params: { ura: string } };
  const uraParams = { params: object({ ura: str(URA) }, ['ura']) };

  app.get<UraParams>('/insurers/:ura/entries', { schema: uraParams }, async (request) => {
    const insurer = insurerRef(request.params.ura);
    await allow(request, { action: 'insurer.read', insurer });
    return { entries: await service.insurerEntries(insurer) };
  });

  app.get<UraParams>('/insurers/:ura/entries/fhir', { schema: uraParams }, async (request, reply) => {
    const insurer = insurerRef(request.params.ura);
    await allow(request, { action: 'insurer.read', insurer });
    const resources = (await service.insurerEntries(insurer)).flatMap((e) => [
      chargeItemOf(e.entry, provider),
      provenanceOf(e.entry, envelopesOf(e)),
    ]);
    return reply.type('application/fhir+json').send(collection(resources));
  });

  app.post<UraParams & { Body: { entries?: string[] } }>(
    '/insurers/:ura/declarations',
    {
      schema: {
        ...uraParams,
        body: object({ entries: { type: 'array', maxItems: 1000, items: str(HASH) } }, []),
      },
    },
    async (request, reply) => {
      const insurer = insurerRef(request.params.ura);
      await allow(request, { action: 'insurer.write', insurer });
      const declarations = unwrap(await service.declare(insurer, request.body?.entries));
      return reply.code(declarations.length > 0 ? 201 : 200).send({ declarations });
    },
  );

  app.get<UraParams>('/insurers/:ura/declarations', { schema: uraParams }, async (request) => {
    const insurer = insurerRef(request.params.ura);
    await allow(request, { action: 'insurer.read', insurer });
    return { declarations: service.files.declarations(insurer) };
  });

  app.get<UraParams>('/insurers/:ura/declarations.csv', { schema: uraParams }, async (request, reply) => {
    const insurer = insurerRef(request.params.ura);
    await allow(request, { action: 'insurer.read', insurer });
    return csv(
      reply,
      `declaraties-${request.params.ura}`,
      declarationsCsv(service.files.declarations(insurer)),
    );
  });

  type DeclarationParams = { Params: { ura: string; id: string } };
  const declarationParams = {
    params: object({ ura: str(URA), id: str('^decl-[0-9a-f]{24}$') }, ['ura', 'id']),
  };

  app.get<DeclarationParams>(
    '/insurers/:ura/declarations/:id/fhir',
    { schema: declarationParams },
    async (request, reply) => {
      const insurer = insurerRef(request.params.ura);
      await allow(request, { action: 'insurer.read', insurer });
      const declaration = service.files.declaration(request.params.id);
      if (!declaration || declaration.insurer !== insurer)
        throw problem(404, 'declaration-unknown', `Declaratie ${request.params.id} is onbekend.`);
      const days = currentIndication(service.state.carelog, declaration.indication)?.days;
      const claim = claimOf(
        declaration,
        service.entries(declaration.indication),
        service.files.file(declaration.indication),
        days,
        provider,
      );
      return reply.type('application/fhir+json').send(claim);
    },
  );

  app.put<DeclarationParams & { Body: { status: PaymentStatus } }>(
    '/insurers/:ura/declarations/:id/payment-status',
    {
      schema: {
        ...declarationParams,
        body: object({ status: { type: 'string', enum: [...PAYMENT_STATUSES] } }, ['status']),
      },
    },
    async (request) => {
      const insurer = insurerRef(request.params.ura);
      await allow(request, { action: 'insurer.write', insurer });
      return unwrap(await service.setPaymentStatus(insurer, request.params.id, request.body.status));
    },
  );
}
