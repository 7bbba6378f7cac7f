// Identity at a node, wired from packages/auth: client passkeys (enrolment after the identity check,
// login, signing statements), delegation, and professionals' login. New passkeys are bound on the
// node's log with a `key` statement signed by the node; statements a client signs go to the log.
// The node configuration names the identity providers: a DigiD broker for clients, organisation
// IdPs or Dezi for professionals, and password + TOTP accounts from a secret file as a fallback.
// Only in demo mode (`demo: true`, `ketenlog start`) is the identity check the labelled Demo-DigiD
// stand-in and are the professionals the region file's, with credentials derived from their ids.
import { createHash, createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Db, EphemeralStore } from '@ketenlog/storage';
import { signStatement, type Json } from '@ketenlog/logbook';
import {
  DEMO_PERSONS,
  DemoDigiD,
  demoPersonDirectory,
  demoProfessionalAccounts,
  hashPassword,
  IdentityCheckError,
  InMemoryProfessionalDirectory,
  keyBindingStatement,
  loadProfessionalAccounts,
  OidcIdentityProvider,
  professionalOidcRoutes,
  readSecret,
  registerPasskeyAuth,
  relyingPartyOf,
  SecretFileError,
  SqlIdpAccounts,
  staticPersonDirectory,
  withStoredTotpSteps,
  type IdentityProvider,
  type PasskeyAuth,
  type PersonDirectory,
  type ProfessionalAccount,
  type ProfessionalDirectory,
  type RelyingPartyOptions,
  type SessionStore,
} from '@ketenlog/auth';
import { ConfigError, type IdentityConfig, type OidcUpstreamConfig } from '../config.ts';
import { checkIdentityMode, DEMO_BANNER, DEMO_WARNING } from './identity-mode.ts';
import type { NodeLogbook } from '../logbook/node-logbook.ts';
import type { Membership } from '../region/membership.ts';

/** Where the identity routes live on every node. */
export const AUTH_PREFIX = '/auth';
/** The organisation whose clients the demo persons are (Kraamzorg De Wieg). */
const DEMO_CLIENTS_ORGANISATION = '11110001';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A demo professional's credentials, derived from her id: the same on every run. DEMO ONLY. */
export function demoCredentialsOf(id: string): { password: string; totpSecret: string } {
  const digest = createHash('sha256').update(`ketenlog demo totp ${id}`).digest();
  let bits = '';
  for (const byte of digest.subarray(0, 20)) bits += byte.toString(2).padStart(8, '0');
  const totpSecret = bits
    .match(/.{5}/g)!
    .map((b) => BASE32[parseInt(b, 2)])
    .join('');
  return { password: `demo-${id.replace(/^pro:/, '')}`, totpSecret };
}

/** A client's region pseudonym from her BSN (the RSO's pseudonym service), where the region has one. */
export type PseudonymOf = (bsn: string) => Promise<string>;

/**
 * Who a demo person is at this organisation. A client's holder identity is her region pseudonym
 * when the region runs a pseudonym service, so that her consents, approvals and the localisation
 * index all name her the same way; without one, the demo's fixed holder identity.
 */
export function demoPersons(ura: string, pseudonymOf: () => PseudonymOf | undefined): PersonDirectory {
  if (ura !== DEMO_CLIENTS_ORGANISATION) return staticPersonDirectory({});
  const fixed = demoPersonDirectory();
  return {
    lookup: async (identity) => {
      const person = await fixed.lookup(identity);
      const pseudonym = pseudonymOf();
      if (!person || person.role !== 'client' || !pseudonym) return person;
      return { holder: await pseudonym(identity.bsn), role: 'client' };
    },
  };
}

/** The BSN behind a demo client's holder identity at this organisation, the inverse of demoPersons. */
export function demoBsnOf(
  ura: string,
  pseudonymOf: () => PseudonymOf | undefined,
): (holder: string) => Promise<string | undefined> {
  const clients = ura === DEMO_CLIENTS_ORGANISATION ? DEMO_PERSONS.filter((p) => p.role === 'client') : [];
  return async (holder) => {
    const pseudonym = pseudonymOf();
    for (const client of clients) {
      if ((pseudonym ? await pseudonym(client.bsn) : client.holder) === holder) return client.bsn;
    }
    return undefined;
  };
}

/**
 * The region's demo professionals as this node knows them: its own organisation's with their demo
 * password and TOTP secret, hashed on first use (hashing is deliberately slow; doing it for every
 * account at start cost the demo region seconds), the others without (nobody acts for this
 * organisation from elsewhere).
 */
function demoProfessionals(region: Membership['region'], own: string): Pick<ProfessionalDirectory, 'find'> {
  const directory = new InMemoryProfessionalDirectory(demoProfessionalAccounts(region, () => ({})));
  // A pure cache: every process derives the same credentials from the id.
  const hashed = new Map<string, Promise<ProfessionalAccount>>();
  return {
    find: async (id) => {
      const account = await directory.find(id);
      if (!account || !account.memberships.some((m) => m.organisation === own)) return account;
      let withCredentials = hashed.get(id);
      if (!withCredentials) {
        const { password, totpSecret } = demoCredentialsOf(id);
        withCredentials = hashPassword(password).then((passwordHash) => ({
          ...account,
          passwordHash,
          totpSecret,
        }));
        hashed.set(id, withCredentials);
      }
      return withCredentials;
    },
  };
}

export interface NodeAuthOptions {
  readonly db: Db;
  /** Sessions, login states and counts, BSNs behind logged-in clients: shared by the node's processes. */
  readonly ephemeral: EphemeralStore;
  /** The node's login sessions, when other components read them too (default: over `ephemeral`). */
  readonly sessions?: SessionStore;
  readonly membership: Membership;
  readonly logbook: NodeLogbook;
  /** The region's pseudonym service, once the node has one (see demoPersons). */
  readonly pseudonymOf?: () => PseudonymOf | undefined;
  /** Demo mode: the Demo-DigiD stand-in and the demo professionals (see identity-mode.ts). */
  readonly demo: boolean;
  /** The node's identity providers; in demo mode they take the place of the demo's where given. */
  readonly identity?: IdentityConfig;
}

export interface NodeAuth extends PasskeyAuth {
  /** The BSN behind a client's holder identity here, for SMART launches (see node-smart.ts). */
  readonly bsnOf: (holder: string) => Promise<string | undefined>;
}

export class LogbookRefusal extends Error {
  override name = 'LogbookRefusal';
}

/** The relying-party settings of a configured upstream, its private key read from its secret. */
function upstreamOf(config: OidcUpstreamConfig): RelyingPartyOptions {
  let jwk: unknown;
  try {
    jwk = JSON.parse(readSecret(config.privateKey, `identity ${config.id} privateKey`));
  } catch (error) {
    if (error instanceof SecretFileError) throw new ConfigError(error.message);
    throw new ConfigError(
      `identity ${config.id} privateKey: not a JSON Web Key (${(error as Error).message})`,
    );
  }
  const issuer = new URL(config.issuer);
  return {
    issuer: config.issuer,
    clientId: config.clientId,
    privateKeyJwk: jwk as RelyingPartyOptions['privateKeyJwk'],
    ...(config.scope ? { scope: config.scope } : {}),
    allowInsecure: issuer.protocol === 'http:',
  };
}

/** No identity check configured: enrolment says so, in Dutch, instead of failing obscurely. */
const noIdentityCheck: IdentityProvider = {
  id: 'none',
  label: 'DigiD',
  start: async () => {
    throw new IdentityCheckError(503, 'Inloggen met DigiD is bij deze organisatie (nog) niet ingesteld.');
  },
  complete: async () => undefined,
};

/** How long the BSN behind a client's holder identity is kept after her identity check. */
const BSN_TTL_MS = 30 * 24 * 3_600_000;

/**
 * A representative's holder identity at this node: `rep:` and a keyed hash of her BSN. The key is
 * the node's own derivation secret, so the identity is the same at every login here (also after a
 * key rotation) but cannot be linked by anyone else to her BSN or to her region pseudonym as a
 * client — the holder goes on the public log with her passkey.
 */
export function representativeHolder(bsn: string, derivationSecret: Uint8Array): string {
  const mac = createHmac('sha256', derivationSecret).update(`ketenlog representative v1\0${bsn}`);
  return `rep:${mac.digest('base64url').slice(0, 32)}`;
}

/**
 * Persons of a production node: whoever the DigiD broker vouched for. A client is known by her
 * region pseudonym (the RSO's pseudonym service), never by her BSN; the BSN behind a holder is kept,
 * in the node's ephemeral store (any of its processes may serve her app), for her SMART launches
 * only, for as long as an app's refresh token lives. A person who chose to log in as a
 * representative is one (representativeHolder); what she may do comes from the delegations clients
 * grant her, as in the demo.
 */
function pseudonymPersons(
  pseudonymOf: () => PseudonymOf | undefined,
  store: EphemeralStore,
  derivationSecret: Uint8Array,
): {
  persons: PersonDirectory;
  bsnOf: (holder: string) => Promise<string | undefined>;
} {
  const bsns = store.space('client-bsn');
  return {
    persons: {
      lookup: async (identity, as) => {
        if (as === 'delegate')
          return { holder: representativeHolder(identity.bsn, derivationSecret), role: 'delegate' };
        const pseudonym = pseudonymOf();
        if (!pseudonym) return undefined;
        const holder = await pseudonym(identity.bsn);
        await bsns.put(holder, identity.bsn, Date.now() + BSN_TTL_MS);
        return { holder, role: 'client' };
      },
    },
    bsnOf: async (holder) => bsns.get(holder, Date.now()),
  };
}

/** Professionals who logged in through an IdP (kept in the database), over the node's own accounts. */
function withIdpAccounts(base: ProfessionalDirectory, fromIdp: SqlIdpAccounts): ProfessionalDirectory {
  return {
    find: async (id) => (await base.find(id)) ?? (await fromIdp.find(id)),
    lastTotpStep: (id) => base.lastTotpStep(id),
    recordTotpStep: (id, step) => base.recordTotpStep(id, step),
  };
}

function professionalAccountsOf(identity: IdentityConfig | undefined): ProfessionalAccount[] {
  if (!identity?.professionalAccounts) return [];
  try {
    return loadProfessionalAccounts(identity.professionalAccounts);
  } catch (error) {
    if (error instanceof SecretFileError) throw new ConfigError(error.message);
    throw error;
  }
}

export async function registerNodeAuth(app: FastifyInstance, options: NodeAuthOptions): Promise<NodeAuth> {
  const { db, ephemeral, membership, logbook, demo, identity: config } = options;
  const { region, organisation } = membership;
  const own = `ura:${organisation.ura}`;
  const accounts = professionalAccountsOf(config);
  const secureCookies = organisation.node.baseUrl.startsWith('https:');
  // Where browsers reach this node's pages (a loopback node as localhost, as for passkeys): the
  // identity providers send them back there, to the cookies of the login they started.
  const publicBaseUrl = relyingPartyOf(organisation.node.baseUrl).origins[0]!;
  await checkIdentityMode({ demo, membership, accounts, ...(config ? { identity: config } : {}) });
  if (demo) app.log.warn(DEMO_WARNING);
  const pseudonyms = options.pseudonymOf ?? (() => undefined);
  // TOTP steps in the database in demo mode too: a code used at one process is spent at all.
  const base = await withStoredTotpSteps(
    demo ? demoProfessionals(region, own) : new InMemoryProfessionalDirectory(accounts),
    db,
  );
  const idpAccounts = await SqlIdpAccounts.open(db);
  const professionals = withIdpAccounts(base, idpAccounts);
  const production = pseudonymPersons(pseudonyms, ephemeral, membership.derivationSecret);
  const identity: IdentityProvider = config?.digid
    ? new OidcIdentityProvider({
        id: config.digid.id,
        label: config.digid.label,
        upstream: upstreamOf(config.digid),
        ephemeral,
        publicBaseUrl,
        bsnClaim: config.digid.bsnClaim,
        acr: config.digid.acr,
        minimumAssurance: config.digid.minimumAssurance,
      })
    : demo
      ? new DemoDigiD(DEMO_PERSONS, ephemeral, `${AUTH_PREFIX}/demo-digid`)
      : noIdentityCheck;
  const persons = demo ? demoPersons(organisation.ura, pseudonyms) : production.persons;
  const bsnOf = demo ? demoBsnOf(organisation.ura, pseudonyms) : production.bsnOf;
  const idps = (config?.professionalIdps ?? []).map((idp) => ({
    id: idp.id,
    label: idp.label,
    upstream: upstreamOf(idp),
    claims: idp.claims,
    roles: idp.roles,
  }));

  const appendOrThrow = async (envelope: Parameters<NodeLogbook['append']>[0]) => {
    const result = await logbook.append(envelope);
    if (!result.ok) throw new LogbookRefusal(result.problem.text);
    return result.value;
  };
  let auth: PasskeyAuth | undefined;
  await app.register(async (scope) => {
    // The identity pages post forms; the auth routes parse them their own way.
    scope.removeContentTypeParser('application/x-www-form-urlencoded');
    auth = await registerPasskeyAuth(scope, AUTH_PREFIX, {
      db,
      ephemeral,
      ...(options.sessions ? { sessions: options.sessions } : {}),
      relyingParty: relyingPartyOf(organisation.node.baseUrl),
      organisation: own,
      organisationName: organisation.name,
      identity,
      persons,
      professionals,
      secureCookies,
      bindKey: async (credential) => {
        const account =
          credential.role === 'professional' ? await professionals.find(credential.holder) : undefined;
        const role = account?.memberships.find((m) => m.organisation === own)?.role;
        const { keyId, secretKey } = membership.statementKey;
        const statement = keyBindingStatement(credential, keyId, Math.floor(Date.now() / 1000), role);
        await appendOrThrow(signStatement(statement, secretKey));
      },
      submitStatement: async (envelope) => {
        const { index } = await appendOrThrow(envelope);
        return { index, origin: logbook.origin, receipt: `/logbook/receipts/${index}` } satisfies Json;
      },
    });
    if (idps.length > 0)
      await scope.register(professionalOidcRoutes, {
        prefix: AUTH_PREFIX,
        idps,
        sessions: auth.sessions,
        ephemeral,
        organisation: own,
        publicBaseUrl,
        onLogin: (account, idp) => idpAccounts.record(account, idp, Date.now()),
        secureCookies,
      });
    // What every page may ask: demo or not, and how one logs in here.
    scope.get(`${AUTH_PREFIX}/mode`, async () => ({
      demo,
      ...(demo ? { banner: DEMO_BANNER } : {}),
      clientLogin: { id: identity.id, label: identity.label, configured: identity !== noIdentityCheck },
      professionalLogins: idps.map((idp) => ({
        id: idp.id,
        label: idp.label,
        login: `${AUTH_PREFIX}/professionals/oidc/${idp.id}/login`,
      })),
      passwordLogin: demo || accounts.some((a) => a.passwordHash !== undefined),
    }));
  });
  return { ...auth!, bsnOf };
}
