// Mitz admits only organisations it has whitelisted, by their TLS client certificate (PKIoverheid;
// nuts-knooppunt component/mitz/README.md, "mTLS Authentication"). Node's fetch cannot present a
// client certificate without an extra dispatcher package, so the connector's fetch is this small
// one over node:https: the organisation's certificate and key, and the CAs it trusts for Mitz.
import { request } from 'node:https';

export interface MutualTls {
  /** PEM: the client certificate (chain) and its private key. */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly passphrase?: string;
  /** PEM: the CAs trusted for Mitz's server certificate (default: Node's own list). */
  readonly ca?: string | Buffer;
}

const NO_BODY = new Set([204, 205, 304]);

export function mutualTlsFetch(tls: MutualTls): (url: string, init?: RequestInit) => Promise<Response> {
  return (url, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const req = request(
        url,
        {
          method: init.method ?? 'GET',
          headers: Object.fromEntries(new Headers(init.headers).entries()),
          cert: tls.cert,
          key: tls.key,
          ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
          ...(tls.ca ? { ca: tls.ca } : {}),
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(res.headers))
              for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value])
                headers.append(name, v);
            const status = res.statusCode ?? 502;
            resolve(new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), { status, headers }));
          });
        },
      );
      req.on('error', reject);
      if (typeof init.body === 'string') req.write(init.body);
      req.end();
    });
}
