// Login sessions of the node's own pages: an opaque random ID in an HttpOnly cookie, the
// principal kept server-side. A professional's session acts for one organisation in one role at a
// time; a representative's acts for one client at a time. Both change only by an explicit switch.
import { randomBytes } from 'node:crypto';

export interface ActingAs {
  /** `ura:<URA>`. */
  readonly organisation: string;
  readonly role: string;
}

export type Principal =
  /** Between the identity check and enrolment: who the person is here, nothing more. */
  | { readonly kind: 'enrolling'; readonly holder: string; readonly role: 'client' | 'delegate' }
  | { readonly kind: 'client'; readonly holder: string; readonly credentialId: string }
  | {
      readonly kind: 'representative';
      readonly holder: string;
      readonly credentialId: string;
      /** The client she acts for now, by delegation id; none until she chooses. */
      readonly actingFor?: { readonly client: string; readonly delegation: string };
    }
  | {
      readonly kind: 'professional';
      readonly id: string;
      /**
       * How she logged in: a passkey, password plus TOTP (demo, or the documented fallback), or
       * her organisation's identity provider or Dezi over OpenID Connect.
       */
      readonly method: 'passkey' | 'password+totp' | 'oidc';
      /** With `oidc`: which configured identity provider vouched for her. */
      readonly idp?: string;
      readonly actingAs?: ActingAs;
    };

export interface Session {
  readonly id: string;
  readonly principal: Principal;
  readonly expiresAt: number;
}

export const SESSION_COOKIE = 'ketenlog_session';

/** In-memory sessions of one node process. */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #ttlMs: number;

  constructor(ttlMs = 30 * 60_000) {
    this.#ttlMs = ttlMs;
  }

  create(principal: Principal, now: number): Session {
    this.#sweep(now);
    const session = { id: randomBytes(32).toString('base64url'), principal, expiresAt: now + this.#ttlMs };
    this.#sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined, now: number): Session | undefined {
    if (id === undefined) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= now) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** Replaces the principal (an explicit switch); the session keeps its ID and expiry. */
  update(id: string, principal: Principal): Session | undefined {
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    const next = { ...session, principal };
    this.#sessions.set(id, next);
    return next;
  }

  end(id: string): void {
    this.#sessions.delete(id);
  }

  /** Every live session's ID and principal. */
  *entries(): IterableIterator<[string, Principal]> {
    for (const [id, session] of this.#sessions) yield [id, session.principal];
  }

  /** Ends every session of a holder at once (revoked passkey, revoked delegation). */
  endWhere(predicate: (principal: Principal) => boolean): number {
    let ended = 0;
    for (const [id, session] of this.#sessions) {
      if (predicate(session.principal)) {
        this.#sessions.delete(id);
        ended++;
      }
    }
    return ended;
  }

  #sweep(now: number): void {
    for (const [id, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(id);
  }
}

/** A cookie's value from a Cookie header. */
export function cookieFrom(cookieHeader: string | undefined, cookie: string): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === cookie) return value.join('=');
  }
  return undefined;
}

/** The session cookie's value from a Cookie header. */
export function sessionIdFrom(cookieHeader: string | undefined): string | undefined {
  return cookieFrom(cookieHeader, SESSION_COOKIE);
}

/** A Set-Cookie header for a session (Secure unless the node serves plain HTTP on loopback). */
export function sessionCookie(session: Session | undefined, secure: boolean, now: number): string {
  const maxAge = session ? Math.max(0, Math.floor((session.expiresAt - now) / 1000)) : 0;
  return [
    `${SESSION_COOKIE}=${session?.id ?? ''}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAge}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
