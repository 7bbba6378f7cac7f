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

    // The user sees which app asks for what, and decides (RFC 6749 §4.1.1; OIDC Core §3.1.2.4): no
    // scope is granted without her explicit "Toestaan".
    scope.get(`${prefix}/interaction/:uid`, async (request, reply) => {
      const details = await provider.interactionDetails(request.raw, reply.raw);
      const accountId = await options.resolveAccount(request);
      const here = `${prefix}/interaction/${encodeURIComponent(details.uid)}`;
      if (accountId === undefined) {
        return reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(loginPage(options.loginUrl(here)));
      }
      const params = details.params as Record<string, unknown>;
      const client = await provider.Client.find(String(params['client_id'] ?? ''));
      const requested = typeof params['scope'] === 'string' ? params['scope'].split(' ').filter(Boolean) : [];
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header(
          'content-security-policy',
          "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        )
        .send(consentPage(here, client?.clientName ?? String(params['client_id'] ?? 'een app'), requested));
    });

    scope.post(`${prefix}/interaction/:uid/decision`, async (request, reply) => {
      const details = await provider.interactionDetails(request.raw, reply.raw);
      const accountId = await options.resolveAccount(request);
      if (accountId === undefined) return reply.code(401).type('text/plain').send('Log eerst in.');
      const form = new URLSearchParams(await readBody(request));
      if (form.get('decision') !== 'allow') {
        const redirectTo = await provider.interactionResult(request.raw, reply.raw, {
          error: 'access_denied',
          error_description: 'De gebruiker heeft geen toestemming gegeven.',
        });
        return reply.header('cache-control', 'no-store').redirect(redirectTo, 303);
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

/** The body of a small form POST (the scope takes every content type raw). */
async function readBody(request: FastifyRequest): Promise<string> {
  let text = '';
  for await (const chunk of request.raw) {
    text += String(chunk);
    if (text.length > 4096) break;
  }
  return text;
}

/** What each scope lets an app do, in Dutch. */
function describeScope(scope: string): string {
  if (scope === 'openid' || scope === 'fhirUser') return 'weten wie u bent';
  if (scope === 'launch/patient') return 'uw dossier kiezen als onderwerp';
  if (scope === 'offline_access') return 'toegang houden als u niet ingelogd bent (tot u die intrekt)';
  const match = /^patient\/(\*|[A-Za-z]+)\.(.+)$/.exec(scope);
  if (match) {
    const what = match[1] === '*' ? 'al uw gegevens' : `uw gegevens van het type ${match[1]}`;
    const write = /c|write|\*/.test(match[2] ?? '');
    return write ? `${what} lezen en eigen metingen toevoegen` : `${what} lezen`;
  }
  return scope;
}

function consentPage(action: string, appName: string, scopes: readonly string[]): string {
  const items = scopes
    .map((s) => `<li>${escapeHtml(describeScope(s))} <code>${escapeHtml(s)}</code></li>`)
    .join('');
  return `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Toegang voor ${escapeHtml(appName)} — Ketenlog</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
button{font:inherit;padding:.5rem 1rem;margin-right:.5rem}code{color:#555;font-size:.85em}</style></head>
<body><main>
<h1>${escapeHtml(appName)} vraagt toegang</h1>
<p>Als u toestaat, mag deze app:</p>
<ul>${items}</ul>
<p>U kunt deze toegang later weer intrekken.</p>
<form method="post" action="${escapeHtml(action)}/decision">
<button type="submit" name="decision" value="allow">Toestaan</button>
<button type="submit" name="decision" value="deny">Weigeren</button>
</form>
</main></body></html>`;
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
