// Identity at a node, wired from packages/auth: client passkeys (enrolment after the identity check,
// login, signing statements), delegation, and professionals' login. New passkeys are bound on the
// node's log with a `key` statement signed by the node; statements a client signs go to the log.
// In the demo region the identity check is the labelled Demo-DigiD stand-in and the professionals
// are the region file's demo professionals with demo credentials (printed by `npm start`).
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Db } from '@ketenlog/storage';
import { signStatement, type Json } from '@ketenlog/logbook';
import {
  DEMO_PERSONS,
  DemoDigiD,
  demoPersonDirectory,
  demoProfessionalAccounts,
  hashPassword,
  InMemoryProfessionalDirectory,
  keyBindingStatement,
  registerPasskeyAuth,
  relyingPartyOf,
  staticPersonDirectory,
  type PasskeyAuth,
  type PersonDirectory,
  type ProfessionalAccount,
  type ProfessionalDirectory,
} from '@ketenlog/auth';
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
function demoProfessionals(region: Membership['region'], own: string): ProfessionalDirectory {
  const directory = new InMemoryProfessionalDirectory(demoProfessionalAccounts(region, () => ({})));
  const hashed = new Map<string, Promise<ProfessionalAccount>>();
  return {
    lastTotpStep: (id) => directory.lastTotpStep(id),
    recordTotpStep: (id, step) => directory.recordTotpStep(id, step),
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
  readonly membership: Membership;
  readonly logbook: NodeLogbook;
  /** The region's pseudonym service, once the node has one (see demoPersons). */
  readonly pseudonymOf?: () => PseudonymOf | undefined;
}

export class LogbookRefusal extends Error {
  override name = 'LogbookRefusal';
}

export async function registerNodeAuth(app: FastifyInstance, options: NodeAuthOptions): Promise<PasskeyAuth> {
  const { db, membership, logbook } = options;
  const { region, organisation } = membership;
  const professionals = demoProfessionals(region, `ura:${organisation.ura}`);
  const appendOrThrow = async (envelope: Parameters<NodeLogbook['append']>[0]) => {
    const result = await logbook.append(envelope);
    if (!result.ok) throw new LogbookRefusal(result.reason);
    return result;
  };
  let auth: PasskeyAuth | undefined;
  await app.register(async (scope) => {
    // The identity pages post forms; the auth routes parse them their own way.
    scope.removeContentTypeParser('application/x-www-form-urlencoded');
    auth = await registerPasskeyAuth(scope, AUTH_PREFIX, {
      db,
      relyingParty: relyingPartyOf(organisation.node.baseUrl),
      organisation: `ura:${organisation.ura}`,
      organisationName: organisation.name,
      identity: new DemoDigiD(DEMO_PERSONS, `${AUTH_PREFIX}/demo-digid`),
      persons: demoPersons(organisation.ura, options.pseudonymOf ?? (() => undefined)),
      professionals,
      secureCookies: organisation.node.baseUrl.startsWith('https:'),
      bindKey: async (credential) => {
        const account =
          credential.role === 'professional' ? await professionals.find(credential.holder) : undefined;
        const role = account?.memberships.find((m) => m.organisation === `ura:${organisation.ura}`)?.role;
        const { keyId, secretKey } = membership.statementKey;
        const statement = keyBindingStatement(credential, keyId, Math.floor(Date.now() / 1000), role);
        await appendOrThrow(signStatement(statement, secretKey));
      },
      submitStatement: async (envelope) => {
        const { index } = await appendOrThrow(envelope);
        return { index, origin: logbook.origin, receipt: `/logbook/receipts/${index}` } satisfies Json;
      },
    });
  });
  return auth!;
}
