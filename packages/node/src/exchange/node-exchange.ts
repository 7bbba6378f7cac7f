// Exchange at a region member (packages/exchange): the region's pseudonym service at the RSO's node
// (behind node tokens), a pseudonym client at every node, and the localisation index — every
// resource about a client stored here is stated on the node's log as "this organisation holds this
// category for her pseudonym". Without an RSO in the region there is no pseudonym service, and the
// index stays off.
import { hkdfSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Patient } from '@medplum/fhirtypes';
import { BSN_SYSTEM, type FhirRepository } from '@ketenlog/fhir';
import { signStatement } from '@ketenlog/logbook';
import { holdersOf, type MemberFetch, type Organisation } from '@ketenlog/region';
import { issueNodeToken, NodeTokenVerifier, requireNodeToken } from '@ketenlog/auth';
import {
  IndexPublisher,
  PseudonymClient,
  pseudonymServiceKey,
  pseudonymServiceRoutes,
} from '@ketenlog/exchange';
import type { NodeLogbook } from '../logbook/node-logbook.ts';
import type { Membership } from '../region/membership.ts';
import { IndexingRepository } from './indexing-repository.ts';

export const PSEUDONYM_PATH = '/pseudonyms';

export interface NodeExchange {
  readonly repository: FhirRepository;
  readonly publisher?: IndexPublisher;
  readonly pseudonyms?: PseudonymClient;
  close(): void;
}

/** The member that runs the region's pseudonym service: its (first) RSO. */
export function pseudonymServiceOf(membership: Membership): Organisation | undefined {
  return membership.region.organisations.find((o) => o.type === 'rso');
}

export async function registerNodeExchange(
  app: FastifyInstance,
  options: {
    readonly membership: Membership;
    readonly logbook: NodeLogbook;
    readonly repository: FhirRepository;
    readonly fetch: MemberFetch;
    readonly log: { warn(obj: object, msg: string): void };
  },
): Promise<NodeExchange> {
  const { membership, logbook, repository, fetch, log } = options;
  const { organisation, statementKey, region } = membership;
  const service = pseudonymServiceOf(membership);
  if (!service) return { repository, close: () => {} };

  if (service.ura === organisation.ura) {
    const verifier = new NodeTokenVerifier({
      audience: organisation.node.baseUrl,
      state: () => logbook.state,
    });
    const seed = new Uint8Array(
      hkdfSync('sha256', statementKey.secretKey, region.name, 'ketenlog pseudonym service seed v1', 32),
    );
    await app.register(pseudonymServiceRoutes, {
      prefix: PSEUDONYM_PATH,
      secretKey: pseudonymServiceKey(seed),
      authenticate: requireNodeToken(verifier),
    });
  }

  const pseudonyms = new PseudonymClient({
    url: `${service.node.baseUrl}${PSEUDONYM_PATH}/evaluate`,
    region: region.name,
    fetch,
    token: () =>
      issueNodeToken(
        { keyId: statementKey.keyId, secretKey: statementKey.secretKey },
        {
          organisation: organisation.ura,
          audience: service.node.baseUrl,
          role: 'node',
          purpose: 'treatment',
        },
      ),
  });
  const cache = new Map<string, string | undefined>();
  const publisher = new IndexPublisher({
    holder: organisation.ura,
    author: statementKey.keyId,
    sign: (statement) => signStatement(statement, statementKey.secretKey),
    pseudonymOf: async (patientId) => {
      if (cache.has(patientId)) return cache.get(patientId);
      const patient = await repository.read<Patient>('Patient', patientId).catch(() => undefined);
      const bsn = patient?.identifier?.find((i) => i.system === BSN_SYSTEM)?.value;
      const pseudonym = bsn ? await pseudonyms.pseudonymOf(bsn) : undefined;
      cache.set(patientId, pseudonym);
      return pseudonym;
    },
    holds: (pseudonym, category) =>
      holdersOf(logbook.state.index, pseudonym).some(
        (h) => h.holder === `ura:${organisation.ura}` && h.categories.includes(category),
      ),
    append: (envelope) => logbook.append(envelope),
    onError: (error) => log.warn({ err: error }, 'localisation index: publishing failed'),
  });
  return {
    repository: new IndexingRepository(repository, publisher),
    publisher,
    pseudonyms,
    close: () => publisher.close(),
  };
}
