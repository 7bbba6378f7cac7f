// Who is calling the node's FHIR API: exactly one verified credential per request, or a refusal.
// A bearer token counts only once it has been verified (a node token against the region's node
// keys, an opaque token against the node's authorization server: a SMART app's, or an
// organisation system's from SMART Backend Services); a session counts only when it is scoped —
// a professional acting for this organisation, a client (her own compartment), or a
// representative acting for one client. Network position is no credential, unless the node's
// configuration explicitly lists trusted networks.
import type { FastifyRequest } from 'fastify';
import type { BlockList } from 'node:net';
import {
  NodeTokenError,
  sessionIdFrom,
  type ActingAs,
  type NodeCaller,
  type NodeTokenVerifier,
  type SessionStore,
  type SmartAccess,
} from '@ketenlog/auth';
import { isInside } from './networks.ts';

/** An organisation system's access (SMART Backend Services: client credentials, private_key_jwt). */
export interface SystemAccess {
  readonly clientId: string;
  /** Space-separated granted scopes, e.g. `system/*.read system/*.write`. */
  readonly scope: string;
}

export type FhirCaller =
  | { readonly kind: 'node'; readonly node: NodeCaller }
  | { readonly kind: 'app'; readonly access: SmartAccess }
  | { readonly kind: 'system'; readonly access: SystemAccess }
  | { readonly kind: 'professional'; readonly id: string; readonly actingAs: ActingAs }
  | { readonly kind: 'client'; readonly holder: string }
  | {
      readonly kind: 'representative';
      readonly holder: string;
      readonly client: string;
      readonly delegation: string;
    }
  | { readonly kind: 'trusted-network'; readonly address: string };

export type CallerResult =
  | { readonly ok: true; readonly caller: FhirCaller }
  | {
      readonly ok: false;
      readonly status: 401 | 403;
      readonly text: string;
      readonly invalidToken?: boolean;
    };

export interface CredentialResolvers {
  /** `ura:<URA>` of this node's organisation: the only one its professionals' sessions may act for. */
  readonly organisation: string;
  readonly nodeTokens?: NodeTokenVerifier;
  /** A SMART app's opaque access token → what it grants, or undefined; asked on every request. */
  readonly appTokens?: (token: string) => Promise<Expiring<SmartAccess> | undefined>;
  /** An organisation system's opaque access token → what it grants, or undefined (as appTokens). */
  readonly systemTokens?: (token: string) => Promise<Expiring<SystemAccess> | undefined>;
  readonly sessions?: SessionStore;
  /**
   * Whether a representative may read the records of the client she acts for: her delegation must
   * be on the logbook (signed by the client, in force) and reach that far. Without it: never.
   */
  readonly representativeMayRead?: (client: string, representative: string) => boolean;
  /** Networks whose callers need no credential: empty unless the configuration lists them. */
  readonly trustedNetworks?: BlockList;
  readonly now?: () => number;
}

/** What a token resolver answers, with the token's expiry when it knows it. */
type Expiring<T> = T & { readonly expiresAt?: number };

const BEARER = /^Bearer ([\x21-\x7e]+)$/;
const refuse = (status: 401 | 403, text: string, invalidToken = false): CallerResult => ({
  ok: false,
  status,
  text,
  ...(invalidToken ? { invalidToken } : {}),
});
const caller = (c: FhirCaller): CallerResult => ({ ok: true, caller: c });

async function bearerCaller(token: string, resolvers: CredentialResolvers): Promise<CallerResult> {
  // A JWT can only be a node token here: app and system tokens are opaque.
  if (token.split('.').length === 3) {
    if (!resolvers.nodeTokens) return refuse(401, 'Dit knooppunt aanvaardt geen knooppunttokens.', true);
    try {
      return caller({ kind: 'node', node: await resolvers.nodeTokens.verify(token) });
    } catch (error) {
      if (!(error instanceof NodeTokenError)) throw error;
      return refuse(401, `Knooppunttoken geweigerd: ${error.message}`, true);
    }
  }
  // An opaque token is asked of the authorization server's store on every request, never
  // remembered: a token revoked (RFC 7009) or a grant revoked (a reused authorization code) stops
  // opening the FHIR API at once, at every process of the node.
  const system = await resolvers.systemTokens?.(token);
  if (system) {
    const { expiresAt: _expiresAt, ...access } = system;
    return caller({ kind: 'system', access });
  }
  const app = await resolvers.appTokens?.(token);
  if (app) {
    const { expiresAt: _expiresAt, ...access } = app;
    return caller({ kind: 'app', access });
  }
  return refuse(401, 'Geen geldig toegangstoken.', true);
}

/** The one verified caller of a request, or why it is refused. */
export async function resolveFhirCaller(
  request: FastifyRequest,
  resolvers: CredentialResolvers,
): Promise<CallerResult> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) return refuse(401, 'Alleen een Bearer-token wordt aanvaard.', true);
    return bearerCaller(token, resolvers);
  }
  const sessionId = sessionIdFrom(request.headers.cookie);
  if (sessionId !== undefined) {
    const principal = (await resolvers.sessions?.get(sessionId, (resolvers.now ?? Date.now)()))?.principal;
    if (!principal) return refuse(401, 'Uw sessie is verlopen; log opnieuw in.');
    switch (principal.kind) {
      case 'professional':
        if (principal.actingAs?.organisation !== resolvers.organisation)
          return refuse(403, 'Kies eerst voor deze organisatie en in welke rol u werkt.');
        return caller({ kind: 'professional', id: principal.id, actingAs: principal.actingAs });
      case 'client':
        return caller({ kind: 'client', holder: principal.holder });
      case 'representative':
        if (!principal.actingFor) return refuse(403, 'Kies eerst voor wie u optreedt.');
        if (!resolvers.representativeMayRead?.(principal.actingFor.client, principal.holder))
          return refuse(
            403,
            'Uw machtiging geeft geen inzage in het dossier, of staat nog niet in het logboek.',
          );
        return caller({
          kind: 'representative',
          holder: principal.holder,
          client: principal.actingFor.client,
          delegation: principal.actingFor.delegation,
        });
      case 'enrolling':
        return refuse(403, 'Rond eerst uw aanmelding af (uw sleutel vastleggen).');
    }
  }
  const address = request.socket.remoteAddress ?? '';
  if (resolvers.trustedNetworks && isInside(resolvers.trustedNetworks, address))
    return caller({ kind: 'trusted-network', address });
  return refuse(401, 'Aanmelden is nodig voor deze FHIR-API.');
}
