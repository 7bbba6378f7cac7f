// Login rate limiting: at most `limit` attempts per key in a fixed window (per client address, and
// per account name where one is given). In memory, per node process; the window bounds how long a
// key is remembered.

export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface LoginRateLimitOptions {
  readonly limit: number;
  readonly windowMs: number;
}

export class LoginRateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(options: LoginRateLimitOptions = { limit: 10, windowMs: 60_000 }) {
    if (!(options.limit >= 1) || !(options.windowMs > 0))
      throw new RangeError('limit and window must be positive');
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
  }

  /** Counts one attempt under every key; refused when any of them is over its limit. */
  take(keys: readonly string[], now: number): RateDecision {
    this.#sweep(now);
    let retryAt = 0;
    for (const key of keys) {
      const window = this.#windows.get(key);
      if (window && window.count >= this.#limit) retryAt = Math.max(retryAt, window.start + this.#windowMs);
    }
    if (retryAt > 0)
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)) };
    for (const key of keys) {
      const window = this.#windows.get(key);
      if (window) window.count++;
      else this.#windows.set(key, { start: now, count: 1 });
    }
    return { allowed: true };
  }

  /** Forgets a key (after a successful login for that account). */
  reset(key: string): void {
    this.#windows.delete(key);
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows)
      if (window.start + this.#windowMs <= now) this.#windows.delete(key);
  }
}
