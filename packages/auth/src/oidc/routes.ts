// Mounts the authorization server into Fastify under a prefix (oidc-provider is Koa-style: the raw
// request goes to provider.callback()), plus the interaction page that turns an existing Ketenlog
// login (passkey or professional session) into an OIDC login and grant.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { escapeHtml } from './html.ts';

export interface OidcRoutesOptions {
  readonly provider: Provider;
  /** e.g. '/oidc': the issuer URL's path (not named `prefix`: Fastify would apply that itself). */
  readonly mountPath: string;
  /** The principal id of whoever is logged in on this request (session cookie), if anyone. */
  readonly resolveAccount: (request: FastifyRequest) => Promise<string | undefined>;
  /** Where the Dutch login page sends the user to log in; gets the URL to come back to. */
  readonly loginUrl: (returnTo: string) => string;
}

export async function oidcRoutes(app: FastifyInstance, options: OidcRoutesOptions): Promise<void> {
  const { provider, mountPath: prefix } = options;
  const callback = provider.callback();

  await app.register(async (scope) => {
    // Leave bodies to oidc-provider: it reads the raw stream itself.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));

    scope.get(`${prefix}/interaction/:uid`, async (request, reply) => {
      const details = await provider.interactionDetails(request.raw, reply.raw);
      const accountId = await options.resolveAccount(request);
      if (accountId === undefined) {
        const here = `${prefix}/interaction/${encodeURIComponent(details.uid)}`;
        return reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(loginPage(options.loginUrl(here)));
      }
      const params = details.params as Record<string, unknown>;
      const clientId = String(params['client_id'] ?? '');
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId, clientId });
      if (!grant) return reply.code(400).send();
      const scope = typeof params['scope'] === 'string' ? params['scope'] : '';
      grant.addOIDCScope(scope);
      const grantId = await grant.save();
      const redirectTo = await provider.interactionResult(request.raw, reply.raw, {
        login: { accountId },
        consent: { grantId },
      });
      return reply.header('cache-control', 'no-store').redirect(redirectTo, 303);
    });

    const forward = async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
      reply.hijack();
      const raw = request.raw as typeof request.raw & { originalUrl?: string };
      raw.url = withConsentPrompt((raw.url ?? '/').slice(prefix.length) || '/');
      // oidc-provider derives its mount path from originalUrl minus url.
      raw.originalUrl = `${prefix}${raw.url}`;
      await callback(raw, reply.raw);
    };
    scope.all(prefix, forward);
    scope.all(`${prefix}/*`, forward);
  });
}

/**
 * oidc-provider drops `offline_access` unless `prompt=consent`; SMART apps do not send a prompt,
 * and the interaction here always asks the user, so an authorization request asking for
 * offline_access without a prompt is treated as asking for consent.
 */
export function withConsentPrompt(url: string): string {
  if (!url.startsWith('/auth?')) return url;
  const params = new URLSearchParams(url.slice('/auth?'.length));
  if (params.has('prompt') || !(params.get('scope') ?? '').split(' ').includes('offline_access')) return url;
  params.set('prompt', 'consent');
  return `/auth?${params}`;
}

function loginPage(loginHref: string): string {
  return `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Inloggen — Ketenlog</title></head>
<body><main>
<h1>Inloggen</h1>
<p>Een app vraagt toegang tot uw gegevens. Log eerst in met uw passkey of als zorgverlener.</p>
<p><a href="${escapeHtml(loginHref)}">Inloggen</a></p>
</main></body></html>`;
}
