// Professionals' login through their organisation's identity provider (Entra ID, Keycloak) or
// Dezi, as a Fastify plugin: one relying party per configured IdP. Her id, organisation (URA) and
// role come from configured claims; the role only through the configured mapping, never as free
// text. She logs in at her own organisation's node only.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { IDToken } from 'openid-client';
import type { EphemeralStore } from '@ketenlog/storage';
import { LoginRateLimiter } from '../passkeys/login-rate-limit.ts';
import { safeReturnTo } from '../passkeys/routes.ts';
import { cookieFrom, sessionCookie, sessionIdFrom, type SessionStore } from '../passkeys/session.ts';
import type { ProfessionalAccount } from '../professionals/professional-directory.ts';
import { OidcRelyingParty, type RelyingPartyOptions } from './relying-party.ts';
import { fail, ok, replyOutcome, replyProblem, type Result } from '@ketenlog/problem';

export interface ProfessionalIdp {
  readonly id: string;
  readonly label: string;
  readonly upstream: RelyingPartyOptions;
  /** Claims holding her id, her organisation's URA (absent: this node's organisation) and role. */
  readonly claims: { readonly id: string; readonly ura?: string; readonly role: string };
  /** The IdP's role values → Ketenlog roles. */
  readonly roles: Readonly<Record<string, string>>;
}

export interface ProfessionalOidcOptions {
  readonly idps: readonly ProfessionalIdp[];
  readonly sessions: SessionStore;
  /** Logins under way and the default limiter's counts (the node's database). */
  readonly ephemeral: EphemeralStore;
  /** `ura:<URA>` of this node's organisation. */
  readonly organisation: string;
  /** This node's public base URL (the redirect URI is built on it). */
  readonly publicBaseUrl: string;
  /** Records the account a login established, so acting-as and passkey enrolment know her. */
  readonly onLogin: (account: ProfessionalAccount, idp: string) => Promise<void>;
  readonly secureCookies?: boolean;
  readonly limiter?: LoginRateLimiter;
  /** Where she lands after login unless the login asked for a `returnTo`; `/portal/` by default. */
  readonly landing?: string;
  readonly now?: () => number;
}

const STATE_COOKIE = 'ketenlog_prologin';
const STATE_TTL_MS = 10 * 60_000;
const ID = /^[A-Za-z0-9._@-]{1,64}$/;

/** Her account from the ID token's claims, or the (Dutch) reason she cannot log in here. */
export function professionalFromClaims(
  idp: ProfessionalIdp,
  claims: IDToken,
  organisation: string,
): Result<ProfessionalAccount, 'forbidden'> {
  const rawId = claims[idp.claims.id];
  if (typeof rawId !== 'string' || !ID.test(rawId.replace(/^pro:/, '')))
    return fail(403, 'forbidden', `${idp.label} gaf geen bruikbare identificatie (${idp.claims.id}).`);
  const ura = idp.claims.ura === undefined ? organisation.replace(/^ura:/, '') : claims[idp.claims.ura];
  if (typeof ura !== 'string' || `ura:${ura}` !== organisation)
    return fail(403, 'forbidden', 'U logt in bij een andere organisatie dan die van uw account.');
  const rawRoles = claims[idp.claims.role];
  const roles = (Array.isArray(rawRoles) ? rawRoles : [rawRoles]).filter(
    (r): r is string => typeof r === 'string',
  );
  const mapped = [
    ...new Set(
      roles
        .map((r) => (Object.hasOwn(idp.roles, r) ? idp.roles[r] : undefined))
        .filter((r) => r !== undefined),
    ),
  ];
  if (mapped.length === 0)
    return fail(403, 'forbidden', 'Uw rol bij uw organisatie geeft geen toegang tot Ketenlog.');
  const id = `pro:${rawId.replace(/^pro:/, '').toLowerCase()}`;
  const name = typeof claims.name === 'string' && claims.name ? claims.name : id;
  return ok({ id, name, memberships: mapped.map((role) => ({ organisation, role })) });
}

export async function professionalOidcRoutes(
  app: FastifyInstance,
  options: ProfessionalOidcOptions,
): Promise<void> {
  const now = options.now ?? Date.now;
  const limiter = options.limiter ?? new LoginRateLimiter(options.ephemeral);
  const secure = options.secureCookies ?? true;
  const prefix = app.prefix;
  const idps = new Map(
    options.idps.map((idp) => [idp.id, { idp, rp: new OidcRelyingParty(idp.upstream, options.ephemeral) }]),
  );
  /** Logins under way, by state: which IdP, and where she returns to. */
  const states = options.ephemeral.space('professional-oidc-logins');
  const callbackOf = (id: string) =>
    new URL(`${prefix}/professionals/oidc/${id}/callback`, options.publicBaseUrl).href;
  const down = (label: string) =>
    `Inloggen via ${label} lukt nu niet: de inlogdienst is niet bereikbaar. Probeer het later opnieuw.`;

  app.get('/professionals/oidc', async () =>
    options.idps.map((idp) => ({
      id: idp.id,
      label: idp.label,
      login: `${prefix}/professionals/oidc/${idp.id}/login`,
    })),
  );

  app.get<{ Params: { idp: string } }>('/professionals/oidc/:idp/login', async (request, reply) => {
    const entry = idps.get(request.params.idp);
    if (!entry) return replyOutcome(reply, 404, 'not-found', 'onbekende inlogdienst');
    const decision = await limiter.take([`ip:${request.ip}`], now());
    if (!decision.allowed) {
      reply.header('retry-after', String(decision.retryAfterSeconds));
      return replyOutcome(reply, 429, 'throttled', 'Te veel inlogpogingen; probeer het later opnieuw.');
    }
    const state = randomBytes(24).toString('base64url');
    const returnTo = safeReturnTo((request.query as Record<string, unknown>).returnTo);
    let url: URL;
    try {
      url = await entry.rp.start(state, callbackOf(entry.idp.id));
    } catch {
      return replyOutcome(reply, 503, 'transient', down(entry.idp.label));
    }
    await states.put(state, JSON.stringify({ idp: entry.idp.id, returnTo }), now() + STATE_TTL_MS);
    reply.header(
      'set-cookie',
      `${STATE_COOKIE}=${state}; Path=${prefix}/professionals/oidc; HttpOnly; SameSite=Lax; Max-Age=600${secure ? '; Secure' : ''}`,
    );
    return reply.redirect(url.href);
  });

  app.get<{ Params: { idp: string } }>('/professionals/oidc/:idp/callback', async (request, reply) => {
    const entry = idps.get(request.params.idp);
    const query = request.query as Record<string, string | undefined>;
    const state = typeof query.state === 'string' ? query.state : undefined;
    const taken = state === undefined ? undefined : await states.take(state, now());
    const pending =
      taken === undefined ? undefined : (JSON.parse(taken) as { idp: string; returnTo?: string });
    if (
      !entry ||
      !state ||
      !pending ||
      pending.idp !== entry.idp.id ||
      cookieFrom(request.headers.cookie, STATE_COOKIE) !== state
    )
      return replyOutcome(reply, 400, 'invalid', 'Onbekende of verlopen inlogpoging. Begin opnieuw.');
    const result = await entry.rp.complete(query);
    if (!result.ok) {
      request.log.warn(
        { idp: entry.idp.id, failure: result.problem.code },
        'professional OIDC login refused',
      );
      return result.problem.code === 'unreachable'
        ? replyOutcome(reply, 503, 'transient', down(entry.idp.label))
        : replyOutcome(
            reply,
            401,
            'login',
            `Inloggen via ${entry.idp.label} is niet gelukt. Probeer het opnieuw.`,
          );
    }
    const mapped = professionalFromClaims(entry.idp, result.value, options.organisation);
    if (!mapped.ok) return replyProblem(reply, mapped.problem);
    const account = mapped.value;
    await options.onLogin(account, entry.idp.id);
    const previous = sessionIdFrom(request.headers.cookie);
    if (previous) await options.sessions.end(previous);
    const only = account.memberships.length === 1 ? account.memberships[0] : undefined;
    const session = await options.sessions.create(
      {
        kind: 'professional',
        id: account.id,
        method: 'oidc',
        idp: entry.idp.id,
        ...(only ? { actingAs: only } : {}),
      },
      now(),
    );
    reply.header('set-cookie', sessionCookie(session, secure, now()));
    return reply.redirect(pending.returnTo ?? options.landing ?? '/portal/');
  });
}
