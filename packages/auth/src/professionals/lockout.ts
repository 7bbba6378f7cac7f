// Account lock-out for the password + TOTP fallback: after `maxFailures` failed logins in a row an
// account is locked for `lockMs`, however slowly the attempts come (the rate limiter only bounds
// their speed). A successful login clears the count. In memory, per node process.

export interface LockoutOptions {
  readonly maxFailures: number;
  readonly lockMs: number;
}

export class AccountLockout {
  readonly #options: LockoutOptions;
  readonly #accounts = new Map<string, { failures: number; lockedUntil: number }>();

  constructor(options: LockoutOptions = { maxFailures: 5, lockMs: 15 * 60_000 }) {
    if (!(options.maxFailures >= 1) || !(options.lockMs > 0))
      throw new RangeError('maxFailures and lockMs must be positive');
    this.#options = options;
  }

  /** Seconds until the account may try again; 0 when it is not locked. */
  lockedFor(account: string, now: number): number {
    const entry = this.#accounts.get(account);
    return entry && entry.lockedUntil > now ? Math.ceil((entry.lockedUntil - now) / 1000) : 0;
  }

  failed(account: string, now: number): void {
    const entry = this.#accounts.get(account) ?? { failures: 0, lockedUntil: 0 };
    if (entry.lockedUntil > 0 && entry.lockedUntil <= now) entry.failures = 0;
    entry.failures++;
    entry.lockedUntil = entry.failures >= this.#options.maxFailures ? now + this.#options.lockMs : 0;
    this.#accounts.set(account, entry);
  }

  succeeded(account: string): void {
    this.#accounts.delete(account);
  }
}
