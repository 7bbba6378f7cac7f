// The request target as every part of the node sees it (RFC 9112 §3.2, RFC 3986 §6.2.2). It is
// computed once, before routing, so the router and every guard judge the same path: a guard that
// tests `/fhir/…` can never be walked around by `/%66hir/…`, because that spelling is rewritten to
// `/fhir/…` before anything looks at it. Percent-encoded characters that a path segment may hold
// literally (unreserved ones, `$` which FHIR operations start with, `:` in an id like
// `pro:anna-jansen`) are decoded, as the router would decode them anyway; every spelling
// whose meaning a guard and a router could disagree on is refused instead: an encoded `/`, `%`,
// `?`, `#` or other reserved character, dot segments, empty segments, `;` parameters, a
// backslash, control or non-ASCII characters, and absolute-form targets. Case is left alone: the
// router is case-sensitive, so `/FHIR/Patient` is simply not a route (404).

export type RequestTarget =
  { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string };

/**
 * What a path segment may hold literally (RFC 3986 §3.3 pchar: unreserved, sub-delims, `:` and
 * `@`), so its encoding can be decoded without changing where the path leads; `;` is then refused
 * below like a literal one. Everything else encoded (`/`, `?`, `#`, `%`, spaces, …) is refused.
 */
const DECODABLE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/;
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;
const MAX_TARGET = 16 * 1024;

const refuse = (reason: string): RequestTarget => ({ ok: false, reason });

/** The normalised request target, or why it is refused. */
export function normaliseRequestTarget(target: string): RequestTarget {
  if (target.length > MAX_TARGET) return refuse('the request target is too long');
  if (!target.startsWith('/')) return refuse('only origin-form request targets are accepted');
  const hash = target.indexOf('#');
  if (hash >= 0) return refuse('a request target has no fragment');
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q);
  if (!PRINTABLE_ASCII.test(target)) return refuse('the request target has control or non-ASCII characters');
  if (rawPath.includes('\\')) return refuse('a backslash is not a path separator here');

  let path = '';
  for (let i = 0; i < rawPath.length; i++) {
    const c = rawPath[i]!;
    if (c !== '%') {
      path += c;
      continue;
    }
    const hex = rawPath.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return refuse('a malformed percent-encoding in the path');
    const decoded = String.fromCharCode(parseInt(hex, 16));
    if (!DECODABLE.test(decoded))
      return refuse(`an encoded reserved character (%${hex.toUpperCase()}) in the path`);
    path += decoded;
    i += 2;
  }
  if (path.includes(';')) return refuse('path parameters (;) are not accepted');
  const segments = path.split('/').slice(1);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '.' || segment === '..') return refuse('dot segments are not accepted');
    // An empty segment is only allowed as the last one (a trailing slash, e.g. `/portal/`).
    if (segment === '' && i < segments.length - 1) return refuse('empty path segments (//) are not accepted');
  }
  return { ok: true, url: path + query };
}
