// GF Localisation at a member. Every member serves the localisation interface under /nvi for its
// region (members' nodes and its own systems register there; its pseudonym key, made once and kept
// in the database, is published at /nvi/.well-known/jwks.json for the PRS). When the configuration
// names an NVI, the node also registers its own holdings there (POST /national/nvi/publish, from
// what its FHIR store holds per client with a BSN) and asks it who else holds data about a client
// (POST /national/nvi/holders {bsn, categories?}: the BSN in the body, never in a URL).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { JWK } from 'jose';
import type { Patient } from '@medplum/fhirtypes';
import { BSN_SYSTEM, parseBsn, type FhirRepository } from '@ketenlog/fhir';
import { patientOf, storeContents } from '@ketenlog/exchange';
import type { Db } from '@ketenlog/storage';
import {
  generateRecipientKey,
  gfCategoryOf,
  isDataCategory,
  NVI_SCOPE,
  NviClient,
  NviError,
  NviStore,
  nviRoutes,
  PrsClient,
  PseudonymError,
  RecipientKey,
  type Authorize,
  type Holding,
  type RecipientKeyPair,
} from '@ketenlog/national';
import type { Membership } from '../region/membership.ts';
import { memberTokenFor } from './member-token.ts';
import { ownCaller as ownCallerOf } from './national-caller.ts';
import type { NationalConfig } from './national-config.ts';
import { replyOutcome } from '@ketenlog/problem';

export const NVI_PATH = '/nvi';
export const NVI_PUBLISH_PATH = '/national/nvi/publish';
export const NVI_HOLDERS_PATH = '/national/nvi/holders';

const KEYS_SCHEMA = 'CREATE TABLE IF NOT EXISTS national_keys (name TEXT PRIMARY KEY, jwk TEXT NOT NULL)';

/** This node's key pair as a pseudonym recipient: made at first start, then read. */
async function recipientKeyPair(db: Db): Promise<RecipientKeyPair> {
  await db.exec(KEYS_SCHEMA);
  const read = async () =>
    (await db.all<{ jwk: string }>('SELECT jwk FROM national_keys WHERE name = ?', ['nvi-recipient']))[0];
  if (!(await read())) {
    const fresh = await generateRecipientKey();
    await db.run('INSERT INTO national_keys (name, jwk) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [
      'nvi-recipient',
      JSON.stringify(fresh.privateJwk),
    ]);
  }
  const privateJwk = JSON.parse((await read())!.jwk) as JWK;
  const { d: _secret, ...publicJwk } = privateJwk;
  return { privateJwk, publicJwk };
}

/** Per client with a BSN here: the GF data categories the store holds about her. */
export async function holdingsOf(repository: FhirRepository): Promise<Holding[]> {
  const patients = new Map<string, { bsn?: string; categories: Set<string> }>();
  const entry = (id: string) => patients.get(id) ?? patients.set(id, { categories: new Set() }).get(id)!;
  for await (const resource of storeContents(repository)) {
    if (resource.resourceType === 'Patient') {
      const bsn = (resource as Patient).identifier?.find((i) => i.system === BSN_SYSTEM)?.value;
      if (resource.id && bsn) entry(resource.id).bsn = bsn;
      continue;
    }
    const patient = patientOf(resource);
    const category = gfCategoryOf(resource);
    if (patient && category) entry(patient).categories.add(category);
  }
  return [...patients.values()]
    .filter((p) => p.bsn !== undefined && p.categories.size > 0)
    .map((p) => ({ bsn: p.bsn!, categories: [...p.categories].sort() }));
}

export interface LocalisationOptions {
  readonly db: Db;
  readonly membership: Membership;
  readonly repository: FhirRepository;
  readonly authorize: Authorize;
  readonly config?: NationalConfig['localisation'];
  readonly fetch?: typeof fetch;
}

export async function registerLocalisation(
  app: FastifyInstance,
  options: LocalisationOptions,
): Promise<void> {
  const { db, membership } = options;
  const ura = membership.organisation.ura;
  const base = membership.organisation.node.baseUrl.replace(/\/$/, '');
  const keys = await recipientKeyPair(db);
  const store = await NviStore.open(db);
  await app.register(
    (scope) =>
      nviRoutes(scope, {
        store,
        recipient: new RecipientKey({ organisation: `ura:${ura}`, scope: NVI_SCOPE }, keys.privateJwk),
        publicJwk: keys.publicJwk,
        authorize: options.authorize,
        baseUrl: `${base}${NVI_PATH}`,
      }),
    { prefix: NVI_PATH },
  );

  const nvi = options.config?.nvi;
  if (!nvi) return;
  const token = async () => (nvi.tokenEnv ? process.env[nvi.tokenEnv] : undefined);
  // The region's NVI at another member takes this node's node token; a national one the configured.
  const memberToken = memberTokenFor(membership, 'localisation');
  const client = new NviClient({
    url: nvi.url,
    ura: nvi.ura,
    custodian: ura,
    clientId: nvi.clientId,
    prs: new PrsClient({ url: nvi.prs, token, ...(options.fetch ? { fetch: options.fetch } : {}) }),
    token: async () => (await memberToken(`${nvi.url}/`)) ?? (await token()),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const ownCaller = ownCallerOf(options.authorize, ura);
  const upstream = async (reply: FastifyReply, task: () => Promise<unknown>) => {
    try {
      return await task();
    } catch (error) {
      if (
        error instanceof NviError ||
        error instanceof PseudonymError ||
        (error as Error).name === 'TimeoutError'
      ) {
        app.log.warn({ err: (error as Error).message }, 'NVI: the national service refused or failed');
        return replyOutcome(
          reply,
          502,
          'transient',
          `De verwijsindex of de pseudonimiseringsdienst faalde: ${(error as Error).message}`,
        );
      }
      throw error;
    }
  };

  app.post(NVI_PUBLISH_PATH, async (request, reply) => {
    if (!(await ownCaller(request, reply))) return reply;
    return upstream(reply, async () => ({
      registered: await client.register(await holdingsOf(options.repository)),
    }));
  });

  app.post<{ Body: { bsn?: unknown; categories?: unknown } | undefined }>(
    NVI_HOLDERS_PATH,
    async (request, reply) => {
      if (!(await ownCaller(request, reply))) return reply;
      let bsn: string;
      try {
        bsn = parseBsn(String(request.body?.bsn ?? ''));
      } catch {
        return replyOutcome(reply, 400, 'invalid', 'bsn: geen geldig BSN (11-proef)');
      }
      const categories = request.body?.categories ?? [];
      if (!Array.isArray(categories) || !categories.every((c) => typeof c === 'string' && isDataCategory(c)))
        return replyOutcome(reply, 400, 'invalid', 'categories: codes uit nl-gf-zorgcontext-vs');
      return upstream(reply, async () => ({ holders: await client.holders(bsn, categories as string[]) }));
    },
  );
}
