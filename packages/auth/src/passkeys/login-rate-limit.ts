// Login rate limiting: at most `limit` attempts per key in a fixed window (per client address, and
// per account name where one is given). Counted in the node's ephemeral store, so the limit holds
// for the node as a whole, however many processes a load balancer spreads the attempts over; the
// window bounds how long a key is remembered.
import type { EphemeralSpace, EphemeralStore } from '@ketenlog/storage';

export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface LoginRateLimitOptions {
  readonly limit: number;
  readonly windowMs: number;
}

export class LoginRateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #windows: EphemeralSpace;

  constructor(store: EphemeralStore, options: LoginRateLimitOptions = { limit: 10, windowMs: 60_000 }) {
    if (!(options.limit >= 1) || !(options.windowMs > 0))
      throw new RangeError('limit and window must be positive');
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#windows = store.space('login-rate');
  }

  /** Counts one attempt under every key; refused when any of them is over its limit. */
  async take(keys: readonly string[], now: number): Promise<RateDecision> {
    let retryAt = 0;
    for (const key of keys) {
      // One atomic count per key: two processes counting at once both see the other's attempt.
      const { hits, expiresAt } = await this.#windows.hit(key, now, this.#windowMs);
      if (hits > this.#limit) retryAt = Math.max(retryAt, expiresAt);
    }
    if (retryAt > 0)
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)) };
    return { allowed: true };
  }

  /** Forgets a key (after a successful login for that account). */
  async reset(key: string): Promise<void> {
    await this.#windows.delete(key);
  }
}
