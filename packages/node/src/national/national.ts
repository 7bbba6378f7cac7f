// The Dutch generic functions at a member, wired in one place: addressing (mCSD) and localisation
// (NVI), each in its own file, both behind the same caller decision (national-caller.ts).
import type { FastifyInstance } from 'fastify';
import type { FhirRepository } from '@ketenlog/fhir';
import type { Db } from '@ketenlog/storage';
import type { MemberServices } from '../region/member-services.ts';
import type { Membership } from '../region/membership.ts';
import { registerAddressing, type NodeAddressing } from './addressing.ts';
import { registerLocalisation } from './localisation.ts';
import { nationalAuthorize } from './national-caller.ts';
import type { NationalConfig } from './national-config.ts';

export interface NationalOptions {
  readonly db: Db;
  readonly membership: Membership;
  readonly member: MemberServices;
  readonly repository: FhirRepository;
  readonly config?: NationalConfig;
  /** Outbound HTTP to national services and upstream directories (configured URLs). */
  readonly fetch?: typeof fetch;
}

export interface NodeNational {
  readonly addressing: NodeAddressing;
}

export async function registerNational(
  app: FastifyInstance,
  options: NationalOptions,
): Promise<NodeNational> {
  const { db, membership, member, config } = options;
  const authorize = nationalAuthorize(member.credentials, membership.organisation.ura);
  const fetch = options.fetch ? { fetch: options.fetch } : {};
  const addressing = await registerAddressing(app, {
    db,
    membership,
    logbook: member.logbook,
    authorize,
    ...(config?.addressing ? { config: config.addressing } : {}),
    ...fetch,
  });
  await registerLocalisation(app, {
    db,
    membership,
    repository: options.repository,
    authorize,
    ...(config?.localisation ? { config: config.localisation } : {}),
    ...fetch,
  });
  return { addressing };
}
