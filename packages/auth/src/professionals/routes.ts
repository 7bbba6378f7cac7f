// Professional login routes (Fastify plugin): password + TOTP (demo), rate limited; choosing the
// organisation and role to act in, explicitly, one at a time; and the guard other routes use.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { EphemeralStore } from '@ketenlog/storage';
import { LoginRateLimiter } from '../passkeys/login-rate-limit.ts';
import { AccountLockout } from './lockout.ts';
import { sessionCookie, sessionIdFrom, type ActingAs, type SessionStore } from '../passkeys/session.ts';
import type { PasskeyService } from '../passkeys/passkey-service.ts';
import { loginWithPassword } from './password-login.ts';
import {
  membershipOf,
  type ProfessionalAccount,
  type ProfessionalDirectory,
} from './professional-directory.ts';
import { replyOutcome, replyProblem } from '@ketenlog/problem';

export interface ProfessionalRoutesOptions {
  readonly sessions: SessionStore;
  /** Where the default limiter and lock-out count (the node's database). */
  readonly ephemeral: EphemeralStore;
  readonly directory: ProfessionalDirectory;
  /** Limits attempts per client address and per account; 10 a minute by default. */
  readonly limiter?: LoginRateLimiter;
  /** Locks an account after failed logins in a row; 10 failures lock it for 15 minutes by default. */
  readonly lockout?: AccountLockout;
  readonly secureCookies?: boolean;
  /** Lets a logged-in professional enrol a passkey for her next logins. */
  readonly passkeys?: PasskeyService;
  readonly now?: () => number;
}

/** Who acts, for which organisation, in which role: what a professional's request carries. */
export interface ProfessionalActor {
  readonly professional: string;
  readonly actingAs: ActingAs;
}

/**
 * The professional behind a request, acting for `organisation` (`ura:<URA>`) when given: 401
 * without a professional session, 403 before she chose whom to act for, or when she acts for
 * another organisation. Sends the OperationOutcome and returns undefined when refused.
 */
export async function requireProfessional(
  sessions: SessionStore,
  request: FastifyRequest,
  reply: FastifyReply,
  now: number,
  organisation?: string,
): Promise<ProfessionalActor | undefined> {
  const p = (await sessions.get(sessionIdFrom(request.headers.cookie), now))?.principal;
  if (p?.kind !== 'professional') {
    replyOutcome(reply, 401, 'login', 'log in as a professional');
    return undefined;
  }
  if (!p.actingAs) {
    replyOutcome(reply, 403, 'forbidden', 'choose the organisation and role you act in first');
    return undefined;
  }
  if (organisation !== undefined && p.actingAs.organisation !== organisation) {
    replyOutcome(reply, 403, 'forbidden', `you act for ${p.actingAs.organisation}, not ${organisation}`);
    return undefined;
  }
  return { professional: p.id, actingAs: p.actingAs };
}

/** At login, the membership to act in when there is only one (for passkeyRoutes' option). */
export function soleMembership(directory: ProfessionalDirectory) {
  return async (id: string): Promise<ActingAs | undefined> => {
    const memberships = (await directory.find(id))?.memberships ?? [];
    return memberships.length === 1 ? memberships[0] : undefined;
  };
}

export async function professionalRoutes(
  app: FastifyInstance,
  options: ProfessionalRoutesOptions,
): Promise<void> {
  const { sessions, directory } = options;
  const now = options.now ?? Date.now;
  const limiter = options.limiter ?? new LoginRateLimiter(options.ephemeral);
  const lockout =
    options.lockout ?? new AccountLockout(options.ephemeral, { maxFailures: 10, lockMs: 15 * 60_000 });
  const secure = options.secureCookies ?? true;

  app.post('/professionals/login', async (request, reply) => {
    const body = (request.body ?? {}) as Partial<Record<'id' | 'password' | 'totp', unknown>>;
    if (typeof body.id !== 'string' || typeof body.password !== 'string' || typeof body.totp !== 'string')
      return replyOutcome(reply, 400, 'invalid', 'send { id, password, totp }');
    const decision = await limiter.take([`ip:${request.ip}`, `professional:${body.id}`], now());
    if (!decision.allowed) {
      reply.header('retry-after', String(decision.retryAfterSeconds));
      return replyOutcome(reply, 429, 'throttled', 'too many login attempts; try again later');
    }
    // Any id locks alike, known or not, so a lock-out does not tell which accounts exist.
    const locked = await lockout.lockedFor(body.id, now());
    if (locked > 0) {
      reply.header('retry-after', String(locked));
      return replyOutcome(
        reply,
        429,
        'throttled',
        'account locked after too many failed logins; try again later',
      );
    }
    const account = await loginWithPassword(
      directory,
      { id: body.id, password: body.password, totp: body.totp },
      now(),
    );
    if (!account) {
      await lockout.failed(body.id, now());
      return replyOutcome(reply, 401, 'login', 'unknown account, wrong password or wrong code');
    }
    await limiter.reset(`professional:${account.id}`);
    await lockout.succeeded(account.id);
    // With a single membership there is nothing to choose; with several she chooses explicitly.
    const only = await soleMembership(directory)(account.id);
    const previous = sessionIdFrom(request.headers.cookie);
    if (previous) await sessions.end(previous);
    const session = await sessions.create(
      { kind: 'professional', id: account.id, method: 'password+totp', ...(only ? { actingAs: only } : {}) },
      now(),
    );
    reply.header('set-cookie', sessionCookie(session, secure, now()));
    return { professional: account.id, actingAs: only ?? null, memberships: account.memberships };
  });

  /** The logged-in professional's account, or undefined (401 sent). */
  async function loggedIn(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<ProfessionalAccount | undefined> {
    const p = (await sessions.get(sessionIdFrom(request.headers.cookie), now()))?.principal;
    const account = p?.kind === 'professional' ? await directory.find(p.id) : undefined;
    if (!account) replyOutcome(reply, 401, 'login', 'log in as a professional');
    return account;
  }

  const { passkeys } = options;
  if (passkeys) {
    const enrollee = (account: ProfessionalAccount) =>
      ({ holder: account.id, role: 'professional', displayName: account.name }) as const;
    app.post('/professionals/passkeys/registration/options', async (request, reply) => {
      const account = await loggedIn(request, reply);
      return account ? passkeys.registrationOptions(enrollee(account)) : reply;
    });
    app.post('/professionals/passkeys/registration/verify', async (request, reply) => {
      const account = await loggedIn(request, reply);
      if (!account) return reply;
      const result = await passkeys.verifyRegistration(
        enrollee(account),
        request.body as RegistrationResponseJSON,
      );
      if (!result.ok) return replyProblem(reply, result.problem);
      return { credentialId: result.value.id };
    });
  }

  app.post('/professionals/acting-as', async (request, reply) => {
    const session = await sessions.get(sessionIdFrom(request.headers.cookie), now());
    const p = session?.principal;
    if (!session || p?.kind !== 'professional')
      return replyOutcome(reply, 401, 'login', 'log in as a professional');
    const body = (request.body ?? {}) as Partial<Record<'organisation' | 'role', unknown>>;
    if (typeof body.organisation !== 'string' || typeof body.role !== 'string')
      return replyOutcome(reply, 400, 'invalid', 'send { organisation, role }');
    const account = await directory.find(p.id);
    const membership = account && membershipOf(account, body.organisation, body.role);
    if (!membership)
      return replyOutcome(reply, 403, 'forbidden', `you do not act as ${body.role} for ${body.organisation}`);
    if (!(await sessions.update(session.id, { ...p, actingAs: membership }, now())))
      return replyOutcome(reply, 401, 'login', 'log in as a professional');
    return { professional: p.id, actingAs: membership };
  });
}
