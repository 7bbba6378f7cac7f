// Who is calling the node's FHIR API: exactly one verified credential per request, or a refusal.
// A bearer token counts only once it has been verified (a node token against the region's node
// keys, an opaque token against the node's authorization server: a SMART app's, or an
// organisation system's from SMART Backend Services); a session counts only when it is scoped —
// a professional acting for this organisation, a client (her own compartment), or a
// representative acting for one client. Network position is no credential, unless the node's
// configuration explicitly lists trusted networks.
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
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
  /**
   * A SMART app's opaque access token → what it grants, or undefined. With `expiresAt` (epoch ms)
   * the answer is reused for a moment (see VERIFIED_TOKEN_MS); without it, it is asked every time.
   */
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

/**
 * How long a verified opaque token's answer is reused without asking the authorization server's
 * store again (never beyond the token's own expiry). Asking costs a database read and the
 * provider's model per request; reusing it means a token revoked (RFC 7009) or a grant revoked
 * (a reused authorization code) stops opening the FHIR API within this time, not at once.
 */
export const VERIFIED_TOKEN_MS = 2_000;
/** Bound on the remembered tokens: beyond it the oldest are forgotten (and asked again). */
const VERIFIED_TOKEN_ENTRIES = 10_000;

/** Verified opaque tokens' callers, keyed by the token's SHA-256 (the token itself is not kept). */
class VerifiedTokens {
  readonly #entries = new Map<string, { readonly caller: FhirCaller; readonly until: number }>();

  get(key: string, now: number): FhirCaller | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > now) return entry.caller;
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, caller: FhirCaller, expiresAt: number | undefined, now: number): void {
    if (expiresAt === undefined || expiresAt <= now) return;
    if (this.#entries.size >= VERIFIED_TOKEN_ENTRIES)
      this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, { caller, until: Math.min(expiresAt, now + VERIFIED_TOKEN_MS) });
  }
}
const verifiedTokens = new WeakMap<CredentialResolvers, VerifiedTokens>();

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
  let cache = verifiedTokens.get(resolvers);
  if (!cache) verifiedTokens.set(resolvers, (cache = new VerifiedTokens()));
  const key = createHash('sha256').update(token).digest('base64');
  const now = (resolvers.now ?? Date.now)();
  const known = cache.get(key, now);
  if (known) return caller(known);
  const system = await resolvers.systemTokens?.(token);
  if (system) {
    const { expiresAt, ...access } = system;
    return remembered(cache, key, { kind: 'system', access }, expiresAt, now);
  }
  const app = await resolvers.appTokens?.(token);
  if (app) {
    const { expiresAt, ...access } = app;
    return remembered(cache, key, { kind: 'app', access }, expiresAt, now);
  }
  return refuse(401, 'Geen geldig toegangstoken.', true);
}

function remembered(
  cache: VerifiedTokens,
  key: string,
  verified: FhirCaller,
  expiresAt: number | undefined,
  now: number,
): CallerResult {
  cache.set(key, verified, expiresAt, now);
  return caller(verified);
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
