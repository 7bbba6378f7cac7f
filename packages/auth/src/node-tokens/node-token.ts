// Node-to-node calls (RFC 7523 style JWT bearer): the calling node signs a short-lived token with its
// statement key (Ed25519, the key the region file publishes for it), naming itself, the node it
// calls, the professional and role it acts for and the purpose. The called node checks the key
// against the region's state (bound, not rotated out or revoked), the audience, the lifetime, and
// refuses a token it has seen before.
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, importJWK, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { ed25519PublicKey, toBase64 } from '@ketenlog/logbook';
import { activeKey, NODE_ROLE, partyOfKey, type Organisation, type RegionState } from '@ketenlog/region';
import type { EphemeralSpace, EphemeralStore } from '@ketenlog/storage';

/** The longest a node token may live. */
export const MAX_TOKEN_SECONDS = 300;
const CLOCK_SKEW_SECONDS = 30;

const base64url = (bytes: Uint8Array): string =>
  toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export interface NodeSigningKey {
  readonly keyId: string;
  /** Ed25519 seed (32 bytes). */
  readonly secretKey: Uint8Array;
}

export interface NodeTokenClaims {
  /** The calling organisation's URA. */
  readonly organisation: string;
  /** The node called: its base URL (the token's audience). */
  readonly audience: string;
  /** The professional the call is for, and her role there. */
  readonly professional?: string;
  readonly role: string;
  readonly purpose: string;
  /**
   * Break-the-glass: the professional's reason for emergency access. A signed claim, so the holder
   * records exactly the reason the calling node vouched for.
   */
  readonly breakTheGlass?: string;
  /** Seconds; at most MAX_TOKEN_SECONDS. */
  readonly ttlSeconds?: number;
}

export async function issueNodeToken(
  key: NodeSigningKey,
  claims: NodeTokenClaims,
  now: () => number = Date.now,
): Promise<string> {
  const ttl = Math.min(claims.ttlSeconds ?? 60, MAX_TOKEN_SECONDS);
  const jwk = {
    kty: 'OKP',
    crv: 'Ed25519',
    d: base64url(key.secretKey),
    x: base64url(ed25519PublicKey(key.secretKey)),
  };
  const privateKey = await importJWK(jwk, 'EdDSA');
  const iat = Math.floor(now() / 1000);
  return new SignJWT({
    purpose: claims.purpose,
    role: claims.role,
    ...(claims.professional ? { professional: claims.professional } : {}),
    ...(claims.breakTheGlass !== undefined ? { break_the_glass: claims.breakTheGlass } : {}),
  })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.keyId, typ: 'JWT' })
    .setIssuer(`ura:${claims.organisation}`)
    .setSubject(claims.professional ?? `ura:${claims.organisation}`)
    .setAudience(claims.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .setJti(randomUUID())
    .sign(privateKey);
}

export class NodeTokenError extends Error {
  override name = 'NodeTokenError';
}

export interface NodeCaller {
  readonly organisation: Organisation;
  readonly professional?: string;
  readonly role: string;
  readonly purpose: string;
  /** The break-the-glass reason the token carries, if any (possibly empty: the PDP refuses that). */
  readonly breakTheGlass?: string;
  readonly tokenId: string;
}

export interface NodeTokenVerifierOptions {
  /** This node's base URL: the only audience it accepts. */
  readonly audience: string;
  /** The region's current state (keys bound, rotated, revoked), read at each call. */
  readonly state: () => RegionState;
  /**
   * Where the IDs of accepted tokens are kept until they expire: the node's database, so a token
   * accepted by one process of the node is refused as a replay by every other.
   */
  readonly replays: EphemeralStore;
  readonly now?: () => number;
}

/** Checks node tokens; remembers the IDs of accepted tokens until they expire (replay). */
export class NodeTokenVerifier {
  readonly #options: NodeTokenVerifierOptions;
  readonly #seen: EphemeralSpace;

  constructor(options: NodeTokenVerifierOptions) {
    this.#options = options;
    this.#seen = options.replays.space(`node-token-jti ${options.audience}`);
  }

  async verify(token: string): Promise<NodeCaller> {
    const now = (this.#options.now ?? Date.now)();
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new NodeTokenError('the bearer token is not a JWT');
    }
    if (!kid) throw new NodeTokenError('the token names no key (kid)');
    const state = this.#options.state();
    const key = activeKey(state.keys, kid);
    const party = partyOfKey(state.config, state.keys, kid);
    // Only a key bound as an organisation's node key speaks for a node: not a professional's
    // browser key, a carer's device key, a client's or a delegate's.
    const binding = state.keys.bindings.get(kid);
    if (
      !key ||
      key.alg !== 'Ed25519' ||
      !party ||
      party.kind !== 'organisation' ||
      binding?.role !== NODE_ROLE ||
      binding.holder !== `ura:${party.organisation.ura}`
    ) {
      throw new NodeTokenError(`key ${kid} is not an active node key of an organisation in this region`);
    }
    const publicKey = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: base64url(key.publicKey) }, 'EdDSA');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, publicKey, {
        algorithms: ['EdDSA'],
        audience: this.#options.audience,
        issuer: `ura:${party.organisation.ura}`,
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: new Date(now),
        requiredClaims: ['iat', 'exp', 'jti'],
      }));
    } catch (error) {
      throw new NodeTokenError(`token refused: ${(error as Error).message}`);
    }
    const { iat, exp, jti } = payload as { iat: number; exp: number; jti: string };
    const nowSeconds = now / 1000;
    if (exp - iat > MAX_TOKEN_SECONDS)
      throw new NodeTokenError(`token lives longer than ${MAX_TOKEN_SECONDS} s`);
    // Issued in the future, or valid for longer from now than any token may live: a future iat
    // must not stretch the lifetime cap.
    if (iat > nowSeconds + CLOCK_SKEW_SECONDS) throw new NodeTokenError('token issued in the future (iat)');
    if (exp - nowSeconds > MAX_TOKEN_SECONDS + CLOCK_SKEW_SECONDS)
      throw new NodeTokenError(`token valid for longer than ${MAX_TOKEN_SECONDS} s from now`);
    const role = typeof payload.role === 'string' ? payload.role : undefined;
    const purpose = typeof payload.purpose === 'string' ? payload.purpose : undefined;
    if (!role || !purpose) throw new NodeTokenError('token lacks role or purpose');
    // The calling node vouches for its professional's role, but only with a role the region knows
    // at an organisation of its type (or `node` for the node itself).
    const known = state.config.roles.get(role);
    if (
      role !== NODE_ROLE &&
      (!known || (known.organisationTypes && !known.organisationTypes.includes(party.organisation.type)))
    )
      throw new NodeTokenError(
        `role ${role} is not a role of a ${party.organisation.type} organisation in this region`,
      );
    const professional = typeof payload.professional === 'string' ? payload.professional : undefined;
    const breakTheGlass = payload.break_the_glass;
    if (breakTheGlass !== undefined && typeof breakTheGlass !== 'string')
      throw new NodeTokenError('break_the_glass must be a reason (a string)');
    // Last, once the token is otherwise good: one atomic insert, so of two processes handed the
    // same token at once only one accepts it. Kept while the token could still pass the expiry
    // check (exp plus the clock skew allowed), keyed by issuer, as jti is unique per issuer.
    const fresh = await this.#seen.insertIfAbsent(
      `${party.organisation.ura} ${jti}`,
      '',
      (exp + CLOCK_SKEW_SECONDS) * 1000,
      now,
    );
    if (!fresh) throw new NodeTokenError('token already used (replay)');
    return {
      organisation: party.organisation,
      role,
      purpose,
      tokenId: jti,
      ...(professional ? { professional } : {}),
      ...(breakTheGlass !== undefined ? { breakTheGlass } : {}),
    };
  }
}
