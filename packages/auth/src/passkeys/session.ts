// Login sessions of the node's own pages: an opaque random ID in an HttpOnly cookie, the
// principal kept server-side. A professional's session acts for one organisation in one role at a
// time; a representative's acts for one client at a time. Both change only by an explicit switch.
// Sessions live in the node's ephemeral store (its database), so every process of the node sees
// one login, one switch and one logout alike; the store keys them by a hash of the ID, so a copy
// of the database does not hand out live cookies.
import { createHash, randomBytes } from 'node:crypto';
import type { EphemeralSpace, EphemeralStore } from '@ketenlog/storage';

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

const keyOf = (id: string): string => createHash('sha256').update(id).digest('base64url');

interface StoredSession {
  readonly principal: Principal;
  readonly expiresAt: number;
}

/** The node's sessions, in its ephemeral store. Every read asks the store: none is answered stale. */
export class SessionStore {
  readonly #space: EphemeralSpace;
  readonly #ttlMs: number;

  constructor(store: EphemeralStore, ttlMs = 30 * 60_000) {
    this.#space = store.space('sessions');
    this.#ttlMs = ttlMs;
  }

  async create(principal: Principal, now: number): Promise<Session> {
    const session = { id: randomBytes(32).toString('base64url'), principal, expiresAt: now + this.#ttlMs };
    const stored: StoredSession = { principal, expiresAt: session.expiresAt };
    await this.#space.put(keyOf(session.id), JSON.stringify(stored), session.expiresAt);
    return session;
  }

  async get(id: string | undefined, now: number): Promise<Session | undefined> {
    if (id === undefined) return undefined;
    const value = await this.#space.get(keyOf(id), now);
    if (value === undefined) return undefined;
    const stored = JSON.parse(value) as StoredSession;
    return { id, principal: stored.principal, expiresAt: stored.expiresAt };
  }

  /** Replaces the principal (an explicit switch); the session keeps its ID and expiry. */
  async update(id: string, principal: Principal, now: number): Promise<Session | undefined> {
    const session = await this.get(id, now);
    if (!session) return undefined;
    const stored: StoredSession = { principal, expiresAt: session.expiresAt };
    return (await this.#space.replace(keyOf(id), JSON.stringify(stored), now))
      ? { ...session, principal }
      : undefined;
  }

  async end(id: string): Promise<void> {
    await this.#space.delete(keyOf(id));
  }

  /**
   * Changes every live session at once (a revoked delegation, a revoked passkey): `change` returns
   * the new principal, `null` to end the session, or undefined to leave it. Returns how many changed.
   */
  async changeWhere(
    change: (principal: Principal) => Principal | null | undefined,
    now: number,
  ): Promise<number> {
    let changed = 0;
    for (const { key, value } of await this.#space.entries(now)) {
      const stored = JSON.parse(value) as StoredSession;
      const next = change(stored.principal);
      if (next === undefined) continue;
      if (next === null) await this.#space.delete(key);
      else await this.#space.replace(key, JSON.stringify({ ...stored, principal: next }), now);
      changed++;
    }
    return changed;
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
