// Outbound HTTP from a node goes only to the region's members (SSRF guard): a fetch that refuses
// any URL whose origin is not a member node's base URL, follows no redirects, and times out.
import type { RegionConfig } from './config/region-config.ts';

export class MemberFetchError extends Error {
  override name = 'MemberFetchError';
}

export type MemberFetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface MemberFetchOptions {
  /** Per request, unless the caller passes its own signal. Default 10 s. */
  readonly timeoutMs?: number;
  /** The underlying fetch (tests inject faults here). */
  readonly fetch?: MemberFetch;
}

/** The origins (scheme, host, port) of every member node. */
export function memberOrigins(config: RegionConfig): ReadonlySet<string> {
  return new Set(config.organisations.map((o) => new URL(o.node.baseUrl).origin));
}

export function memberFetch(config: RegionConfig, options: MemberFetchOptions = {}): MemberFetch {
  const allowed = memberOrigins(config);
  const inner = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return (url, init = {}) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return Promise.reject(new MemberFetchError(`not a URL: ${url}`));
    }
    if (!allowed.has(target.origin) || target.username || target.password) {
      return Promise.reject(new MemberFetchError(`${target.origin} is not a node of a region member`));
    }
    return inner(target.href, {
      ...init,
      redirect: 'error',
      signal: init.signal ?? AbortSignal.timeout(timeoutMs),
    });
  };
}
