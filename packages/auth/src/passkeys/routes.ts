// The passkey routes of a node, as a Fastify plugin: the page, enrolment after the identity check,
// login, and statement signing by a client or by a representative acting for one (delegation
// grants live in delegation-routes.ts). Sessions are an HttpOnly cookie; errors are
// OperationOutcomes. Register with a prefix, e.g. `/auth`.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { EphemeralStore } from '@ketenlog/storage';
import {
  STATEMENT_VERSION,
  statementHash,
  toBase64,
  type Json,
  type SignedStatement,
  type Statement,
  KIND_CONSENT,
} from '@ketenlog/logbook';
import type { PasskeyCredential } from './credential.ts';
import {
  DELEGABLE_KINDS,
  authoriseActingFor,
  delegationOfGrant,
  type ActingFor,
  type DelegationRepository,
} from './delegation.ts';
import {
  IdentityCheckError,
  type IdentityProvider,
  type PersonDirectory,
  type PersonRole,
} from './identity-check.ts';
import { LoginRateLimiter } from './login-rate-limit.ts';
import { passkeyPage } from './page.ts';
import { isStatementDraft } from './statement-draft.ts';
import type { PasskeyProblemCode, PasskeyService } from './passkey-service.ts';
import {
  SessionStore,
  cookieFrom,
  sessionCookie,
  sessionIdFrom,
  type ActingAs,
  type Principal,
  type Session,
} from './session.ts';
import { fail, ok, replyOutcome, replyProblem, type Result } from '@ketenlog/problem';

export interface PasskeyRoutesOptions {
  readonly service: PasskeyService;
  readonly sessions: SessionStore;
  /** Identity checks under way, and the default limiter's counts (the node's database). */
  readonly ephemeral: EphemeralStore;
  readonly identity: IdentityProvider;
  readonly persons: PersonDirectory;
  readonly delegations: DelegationRepository;
  readonly organisationName: string;
  /** Limits login attempts per client address; 10 a minute by default. */
  readonly limiter?: LoginRateLimiter;
  /** Set false only for plain HTTP on loopback (tests, local demo). */
  readonly secureCookies?: boolean;
  /** Binds a new passkey on the logbook (the node signs keyBindingStatement and appends it). */
  readonly bindKey: (credential: PasskeyCredential) => Promise<void>;
  /**
   * Takes a signed statement further (appends it to the node's log); what it returns is sent
   * back as `receipt`. `actingFor` is set when a representative signed for a client.
   */
  readonly submitStatement: (envelope: SignedStatement, actingFor: ActingFor | undefined) => Promise<Json>;
  /** A professional's organisation and role at passkey login, when there is nothing to choose. */
  readonly professionalActingAs?: (professional: string) => Promise<ActingAs | undefined>;
  /** The draft the page's signing form starts with. */
  readonly pageDraft?: Json;
  readonly now?: () => number;
}

const IDENTITY_STATE_COOKIE = 'ketenlog_idcheck';
const IDENTITY_STATE_TTL_MS = 10 * 60_000;

/**
 * Where enrolment may send the person back to: a path on this node (never another site, never a
 * scheme-relative `//host`), e.g. the portal's `/portal/`.
 */
export function safeReturnTo(value: unknown): string | undefined {
  return typeof value === 'string' && /^\/(?![/\\])[A-Za-z0-9/_\-.~]{0,200}$/.test(value) ? value : undefined;
}
/** How far a statement's `iat` may be from the node's clock when it is signed: no back-dating. */
const STATEMENT_CLOCK_SKEW_S = 300;

function browserBundle(): string {
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  return readFileSync(join(dirname(entry), '..', 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
}

export async function passkeyRoutes(app: FastifyInstance, options: PasskeyRoutesOptions): Promise<void> {
  const { service, sessions, identity, persons, delegations } = options;
  const now = options.now ?? Date.now;
  const limiter = options.limiter ?? new LoginRateLimiter(options.ephemeral);
  const secure = options.secureCookies ?? true;
  const prefix = app.prefix;
  /** Identity checks under way, by state: where enrolment returns to. Any process may complete one. */
  const identityStates = options.ephemeral.space('identity-checks');
  const bundle = browserBundle();

  const sessionOf = (request: FastifyRequest): Promise<Session | undefined> =>
    sessions.get(sessionIdFrom(request.headers.cookie), now());

  /** The session's signer: a client, or a representative acting for a client. */
  function signer(session: Session | undefined) {
    const p = session?.principal;
    if (p?.kind === 'client') return { holder: p.holder, client: p.holder, delegation: undefined };
    if (p?.kind === 'representative' && p.actingFor)
      return { holder: p.holder, client: p.actingFor.client, delegation: p.actingFor.delegation };
    return undefined;
  }

  app.get('/passkeys', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(
      passkeyPage({
        prefix,
        organisationName: options.organisationName,
        identityLabel: identity.label,
        draft: JSON.stringify(
          options.pageDraft ?? { kind: KIND_CONSENT, body: { decision: 'objection' } },
          null,
          2,
        ),
      }),
    ),
  );
  app.get('/passkeys/browser.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(bundle),
  );

  // --- enrolment: identity check first ---

  /** Logins and identity checks per client address: true (429 sent) past the limit. */
  const throttled = async (request: FastifyRequest, reply: FastifyReply) => {
    const decision = await limiter.take([`ip:${request.ip}`], now());
    if (decision.allowed) return false;
    reply.header('retry-after', String(decision.retryAfterSeconds));
    replyOutcome(reply, 429, 'throttled', 'too many login attempts; try again later');
    return true;
  };

  app.get('/passkeys/enrol', async (request, reply) => {
    if (await throttled(request, reply)) return reply;
    const query = request.query as Record<string, unknown>;
    // ?as=representative: she acts for someone else, not for herself.
    if (query.as !== undefined && query.as !== 'client' && query.as !== 'representative')
      return replyOutcome(reply, 400, 'invalid', 'as is client or representative');
    const as = query.as === 'representative' ? 'delegate' : 'client';
    const state = randomBytes(24).toString('base64url');
    const returnTo = safeReturnTo(query.returnTo);
    await identityStates.put(state, JSON.stringify({ returnTo, as }), now() + IDENTITY_STATE_TTL_MS);
    let redirectTo: string;
    try {
      ({ redirectTo } = await identity.start(state, `${prefix}/passkeys/enrol/callback`));
    } catch (error) {
      if (error instanceof IdentityCheckError)
        return replyOutcome(reply, error.status, 'transient', error.message);
      throw error;
    }
    reply.header(
      'set-cookie',
      `${IDENTITY_STATE_COOKIE}=${state}; Path=${prefix}/passkeys; HttpOnly; SameSite=Lax; Max-Age=600${secure ? '; Secure' : ''}`,
    );
    return reply.redirect(redirectTo);
  });

  app.get('/passkeys/enrol/callback', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const state = query.state;
    // Taken once: a replayed callback finds nothing.
    const taken = state ? await identityStates.take(state, now()) : undefined;
    const pending =
      taken === undefined ? undefined : (JSON.parse(taken) as { returnTo?: string; as?: PersonRole });
    if (!state || !pending || cookieFrom(request.headers.cookie, IDENTITY_STATE_COOKIE) !== state)
      return replyOutcome(reply, 400, 'invalid', 'unknown or expired identity check');
    let verified;
    try {
      verified = await identity.complete(query);
    } catch (error) {
      if (!(error instanceof IdentityCheckError)) throw error;
      return replyOutcome(reply, error.status, error.status === 503 ? 'transient' : 'login', error.message);
    }
    if (!verified)
      return replyOutcome(
        reply,
        401,
        'login',
        `Inloggen met ${identity.label} is niet gelukt. Probeer het opnieuw.`,
      );
    const person = await persons.lookup(verified, pending.as ?? 'client');
    if (!person)
      return replyOutcome(reply, 403, 'forbidden', 'this person is not known at this organisation');
    const session = await sessions.create(
      { kind: 'enrolling', holder: person.holder, role: person.role },
      now(),
    );
    reply.header('set-cookie', sessionCookie(session, secure, now()));
    const back = pending?.returnTo ? `?returnTo=${encodeURIComponent(pending.returnTo)}` : '';
    return reply.redirect(`${prefix}/passkeys${back}`);
  });

  const enrollee = (session: Session | undefined) =>
    session?.principal.kind === 'enrolling'
      ? {
          holder: session.principal.holder,
          role: session.principal.role,
          displayName: session.principal.holder,
        }
      : undefined;

  app.post('/passkeys/registration/options', async (request, reply) => {
    const person = enrollee(await sessionOf(request));
    if (!person) return replyOutcome(reply, 401, 'login', 'complete the identity check first');
    return service.registrationOptions(person);
  });

  app.post('/passkeys/registration/verify', async (request, reply) => {
    const session = await sessionOf(request);
    const person = enrollee(session);
    if (!session || !person) return replyOutcome(reply, 401, 'login', 'complete the identity check first');
    const result = await service.verifyRegistration(person, request.body as RegistrationResponseJSON);
    if (!result.ok) return replyProblem(reply, result.problem);
    try {
      await options.bindKey(result.value);
    } catch (error) {
      // A passkey the logbook does not know could log in but never sign: take it back.
      await service.revoke(result.value.id);
      request.log.error({ err: error }, 'binding a new passkey on the logbook failed');
      return replyOutcome(
        reply,
        503,
        'exception',
        'the passkey could not be registered on the logbook; try again',
      );
    }
    // Enrolment ends the identity-check session: the person now logs in with the passkey.
    await sessions.end(session.id);
    reply.header('set-cookie', sessionCookie(undefined, secure, now()));
    return { credentialId: result.value.id, keyId: result.value.keyId };
  });

  // --- login ---

  app.post('/passkeys/authentication/options', async (request, reply) => {
    if (await throttled(request, reply)) return reply;
    return service.authenticationOptions();
  });

  app.post('/passkeys/authentication/verify', async (request, reply) => {
    if (await throttled(request, reply)) return reply;
    const result = await service.verifyAuthentication(request.body as AuthenticationResponseJSON);
    if (!result.ok) return replyProblem(reply, result.problem);
    const credential = result.value;
    const actingAs =
      credential.role === 'professional'
        ? await options.professionalActingAs?.(credential.holder)
        : undefined;
    const principal: Principal =
      credential.role === 'client'
        ? { kind: 'client', holder: credential.holder, credentialId: credential.id }
        : credential.role === 'delegate'
          ? { kind: 'representative', holder: credential.holder, credentialId: credential.id }
          : {
              kind: 'professional',
              id: credential.holder,
              method: 'passkey',
              ...(actingAs ? { actingAs } : {}),
            };
    const previous = sessionIdFrom(request.headers.cookie);
    if (previous) await sessions.end(previous);
    const session = await sessions.create(principal, now());
    reply.header('set-cookie', sessionCookie(session, secure, now()));
    return { principal };
  });

  app.get('/session', async (request, reply) => {
    const session = await sessionOf(request);
    return session ? { principal: session.principal } : replyOutcome(reply, 401, 'login', 'log in first');
  });

  app.post('/logout', async (request, reply) => {
    const id = sessionIdFrom(request.headers.cookie);
    if (id) await sessions.end(id);
    reply.header('set-cookie', sessionCookie(undefined, secure, now()));
    return { loggedOut: true };
  });

  // --- statement signing ---

  /** Checks a statement may be signed in this session now; the acting-for record when delegated. */
  async function mayAuthor(
    session: Session | undefined,
    statement: Statement,
  ): Promise<Result<ActingFor | undefined, PasskeyProblemCode>> {
    const who = signer(session);
    if (!who) return fail(401, 'login', 'log in as a client, or choose whom you act for');
    if (statement.subject !== who.client)
      return fail(403, 'forbidden', 'you may sign only for yourself or the client you act for');
    if (!DELEGABLE_KINDS.includes(statement.kind))
      return fail(403, 'forbidden', `a client's passkey does not sign ${statement.kind} statements`);
    if (who.delegation === undefined) return ok(undefined);
    const actingFor = await authoriseActingFor(delegations, who.holder, who.client, statement.kind, now());
    return actingFor ? ok(actingFor) : fail(403, 'forbidden', `no delegation in force for ${statement.kind}`);
  }

  app.post('/passkeys/statements/options', async (request, reply) => {
    const session = await sessionOf(request);
    const who = signer(session);
    const p = session?.principal;
    if (!who || !p || (p.kind !== 'client' && p.kind !== 'representative'))
      return replyOutcome(reply, 401, 'login', 'log in as a client, or choose whom you act for');
    const draft = (request.body as { draft?: unknown } | undefined)?.draft;
    if (!isStatementDraft(draft))
      return replyOutcome(reply, 400, 'invalid', 'send a draft: { kind, subject?, body }');
    const credential = await service.credential(p.credentialId);
    if (!credential || credential.revokedAt !== undefined)
      return replyOutcome(reply, 401, 'login', 'your passkey was revoked');
    const statement = {
      kind: draft.kind,
      v: STATEMENT_VERSION,
      author: credential.keyId,
      iat: Math.floor(now() / 1000),
      subject: draft.subject ?? who.client,
      body: draft.body,
    } as Statement;
    const allowed = await mayAuthor(session, statement);
    if (!allowed.ok) return replyProblem(reply, allowed.problem);
    const result = await service.signingOptions(who.holder, statement);
    return result.ok ? { statement, options: result.value } : replyProblem(reply, result.problem);
  });

  app.post('/passkeys/statements/sign', async (request, reply) => {
    const session = await sessionOf(request);
    const who = signer(session);
    if (!who) return replyOutcome(reply, 401, 'login', 'log in as a client, or choose whom you act for');
    const body = request.body as { statement?: Statement; response?: AuthenticationResponseJSON } | undefined;
    if (!body?.statement || !body.response)
      return replyOutcome(reply, 400, 'invalid', 'send { statement, response }');
    const iat = (body.statement as { iat?: unknown }).iat;
    if (typeof iat !== 'number' || Math.abs(iat - now() / 1000) > STATEMENT_CLOCK_SKEW_S)
      return replyOutcome(reply, 400, 'invalid', 'the statement is not dated now (iat)');
    const result = await service.completeSigning(who.holder, body.statement, body.response);
    if (!result.ok) return replyProblem(reply, result.problem);
    const allowed = await mayAuthor(session, result.value.statement);
    if (!allowed.ok) return replyProblem(reply, allowed.problem);
    const { statement } = result.value;
    const receipt = await options.submitStatement(result.value, allowed.value);
    // A client's own signed delegation grant is recorded with her delegation, so that revoking the
    // delegation can revoke it on the logbook too.
    if (!allowed.value) {
      const delegation = delegationOfGrant(await delegations.grantedBy(who.client), statement);
      if (delegation) await delegations.addLogbookGrant(delegation.id, toBase64(statementHash(statement)));
    }
    return {
      envelope: result.value,
      receipt,
      ...(allowed.value ? { actingFor: allowed.value } : {}),
    };
  });
}
