import type { Bundle } from '@medplum/fhirtypes';

/**
 * A Bundle from a remote FHIR server as if this node had answered it: every `link.url`,
 * `entry.fullUrl` and `entry.response.location` under the remote base moves to the local base,
 * so paging links and fullUrls lead clients back to this node. Other URLs are left alone.
 */
export function rebaseBundle(bundle: Bundle, remoteBase: string, localBase: string): Bundle {
  const move = (url: string | undefined): string | undefined => rebaseUrl(url, remoteBase, localBase);
  return {
    ...bundle,
    ...(bundle.link && { link: bundle.link.map((link) => ({ ...link, url: move(link.url) as string })) }),
    ...(bundle.entry && {
      entry: bundle.entry.map((entry) => ({
        ...entry,
        ...(entry.fullUrl !== undefined && { fullUrl: move(entry.fullUrl) }),
        ...(entry.response?.location !== undefined && {
          response: { ...entry.response, location: move(entry.response.location) },
        }),
      })),
    }),
  };
}

/** `url` with `from` (a base URL) replaced by `to`, when `url` is that base or lies under it. */
export function rebaseUrl(url: string | undefined, from: string, to: string): string | undefined {
  if (url === undefined) return undefined;
  const base = from.replace(/\/+$/, '');
  if (url === base) return to;
  const rest = url.slice(base.length);
  return url.startsWith(base) && /^[/?#]/.test(rest) ? `${to.replace(/\/+$/, '')}${rest}` : url;
}
