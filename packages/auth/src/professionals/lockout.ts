// Account lock-out for the password + TOTP fallback: after `maxFailures` failed logins in a row an
// account is locked for `lockMs`, however slowly the attempts come (the rate limiter only bounds
// their speed). A successful login clears the count. Failures and locks are kept in the node's
// ephemeral store, so an attacker spreading attempts over the node's processes is counted once.
import type { EphemeralSpace, EphemeralStore } from '@ketenlog/storage';

export interface LockoutOptions {
  readonly maxFailures: number;
  readonly lockMs: number;
  /** How long a run of failures is remembered without a new one; a day by default. */
  readonly rememberMs?: number;
}

export class AccountLockout {
  readonly #options: LockoutOptions;
  readonly #failures: EphemeralSpace;
  readonly #locks: EphemeralSpace;

  constructor(store: EphemeralStore, options: LockoutOptions = { maxFailures: 5, lockMs: 15 * 60_000 }) {
    if (!(options.maxFailures >= 1) || !(options.lockMs > 0))
      throw new RangeError('maxFailures and lockMs must be positive');
    this.#options = options;
    this.#failures = store.space('login-failures');
    this.#locks = store.space('login-locks');
  }

  /** Seconds until the account may try again; 0 when it is not locked. */
  async lockedFor(account: string, now: number): Promise<number> {
    const lockedUntil = Number((await this.#locks.get(account, now)) ?? 0);
    return lockedUntil > now ? Math.ceil((lockedUntil - now) / 1000) : 0;
  }

  async failed(account: string, now: number): Promise<void> {
    const { hits } = await this.#failures.hit(account, now, this.#options.rememberMs ?? 24 * 3_600_000);
    if (hits < this.#options.maxFailures) return;
    const lockedUntil = now + this.#options.lockMs;
    await this.#locks.put(account, String(lockedUntil), lockedUntil);
    // A new run of failures after the lock starts from one.
    await this.#failures.delete(account);
  }

  async succeeded(account: string): Promise<void> {
    await this.#failures.delete(account);
  }
}
