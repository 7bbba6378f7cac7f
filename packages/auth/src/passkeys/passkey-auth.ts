// One call for the composition root (packages/node): the passkey, delegation and professional
// routes of a node on its database, sharing one session store and one login limiter, plus the
// demo identity page when the node runs the demo stand-in.
import type { FastifyInstance } from 'fastify';
import type { Db, EphemeralStore } from '@ketenlog/storage';
import { professionalRoutes, soleMembership } from '../professionals/routes.ts';
import type { ProfessionalDirectory } from '../professionals/professional-directory.ts';
import { SqlChallengeStore } from './challenge-store.ts';
import { delegationRoutes } from './delegation-routes.ts';
import { delegationInviteRoutes } from './delegation-invites.ts';
import { DemoDigiD } from './demo-digid.ts';
import { demoDigidRoutes } from './demo-digid-routes.ts';
import { LoginRateLimiter } from './login-rate-limit.ts';
import { PasskeyService } from './passkey-service.ts';
import { passkeyRoutes, type PasskeyRoutesOptions } from './routes.ts';
import { SessionStore } from './session.ts';
import { SqlCredentialRepository } from './sql-credential-repository.ts';
import { SqlDelegationRepository } from './sql-delegation-repository.ts';
import type { RelyingParty } from './statement-assertion.ts';

export interface PasskeyAuthOptions extends Pick<
  PasskeyRoutesOptions,
  'identity' | 'persons' | 'organisationName' | 'bindKey' | 'submitStatement' | 'pageDraft' | 'secureCookies'
> {
  readonly db: Db;
  /**
   * Sessions, identity checks under way and login counts: the node's database, shared by all its
   * processes.
   */
  readonly ephemeral: EphemeralStore;
  /** This node's relying party (relyingPartyOf(node base URL)). */
  readonly relyingParty: RelyingParty;
  /** `ura:<URA>` of this node's organisation. */
  readonly organisation: string;
  readonly professionals: ProfessionalDirectory;
  /** Shared with the node's other routes, so requireProfessional sees the same sessions. */
  readonly sessions?: SessionStore;
  readonly limiter?: LoginRateLimiter;
  readonly now?: () => number;
}

export interface PasskeyAuth {
  readonly sessions: SessionStore;
  readonly service: PasskeyService;
  readonly credentials: SqlCredentialRepository;
  readonly delegations: SqlDelegationRepository;
}

/** Registers every identity route under `prefix` (e.g. `/auth`) and returns what they share. */
export async function registerPasskeyAuth(
  app: FastifyInstance,
  prefix: string,
  options: PasskeyAuthOptions,
): Promise<PasskeyAuth> {
  const { ephemeral } = options;
  const sessions = options.sessions ?? new SessionStore(ephemeral);
  const limiter = options.limiter ?? new LoginRateLimiter(ephemeral);
  const credentials = await SqlCredentialRepository.open(options.db);
  const delegations = await SqlDelegationRepository.open(options.db);
  const now = options.now ?? Date.now;
  const service = new PasskeyService({
    relyingParty: options.relyingParty,
    rpName: options.organisationName,
    organisation: options.organisation,
    credentials,
    challenges: new SqlChallengeStore(options.db),
    now,
  });
  const common = { prefix, sessions, ephemeral, limiter, now, secureCookies: options.secureCookies };
  if (options.identity instanceof DemoDigiD)
    await app.register(demoDigidRoutes, { prefix, digid: options.identity });
  await app.register(passkeyRoutes, {
    ...common,
    service,
    identity: options.identity,
    persons: options.persons,
    delegations,
    organisationName: options.organisationName,
    bindKey: options.bindKey,
    submitStatement: options.submitStatement,
    professionalActingAs: soleMembership(options.professionals),
    ...(options.pageDraft === undefined ? {} : { pageDraft: options.pageDraft }),
  });
  await app.register(delegationRoutes, { prefix, sessions, delegations, now });
  await app.register(delegationInviteRoutes, { prefix, db: options.db, sessions, now });
  await app.register(professionalRoutes, { ...common, directory: options.professionals, passkeys: service });
  return { sessions, service, credentials, delegations };
}
