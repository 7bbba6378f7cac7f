// A real OpenID Connect provider for tests, run as its own process: oidc-provider (the certified
// OP library) configured as a DigiD broker (BSN claim, eIDAS `acr`) or as an organisation's IdP
// (id, URA and role claims), with clients that authenticate by private_key_jwt. Its login page
// lets the test pick the account and the level of assurance. Nothing here is DigiD.
//
//   node packages/auth/src/testing/test-idp.ts <config.json>   → prints "READY <issuer>"
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type ClientMetadata, type KoaContextWithOIDC } from 'oidc-provider';

export interface TestIdpConfig {
  /** 0 picks a free port. */
  readonly port: number;
  /** What the login page says it is, e.g. "Test-DigiD-makelaar". */
  readonly title: string;
  readonly clients: readonly ClientMetadata[];
  /** Login name → the claims of that account (besides `sub`, which is the login name). */
  readonly accounts: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The `acr` values the login page offers; an empty choice means no `acr` at all. */
  readonly acrValues: readonly string[];
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function runTestIdp(config: TestIdpConfig): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(config.port, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // RS256, the ID token algorithm DigiD brokers and most IdPs use (and OIDC's default).
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const claimNames = [...new Set(Object.values(config.accounts).flatMap((claims) => Object.keys(claims)))];
  const provider = new Provider(issuer, {
    clients: [...config.clients],
    jwks: { keys: [{ ...signing, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    clientAuthMethods: ['private_key_jwt'],
    acrValues: [...config.acrValues],
    claims: { openid: ['sub', ...claimNames] },
    // The claims in the ID token itself, as DigiD brokers and Dezi put them.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx, sub) => {
      const claims = config.accounts[sub];
      return claims ? { accountId: sub, claims: async () => ({ ...claims, sub }) } : undefined;
    },
    // First-party clients: no consent screen; the grant covers openid and every claim.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const existing = session.grantIdFor(client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid');
      grant.addOIDCClaims(['sub', ...claimNames]);
      await grant.save();
      return grant;
    },
    ttl: {
      AuthorizationCode: 60,
      IdToken: 600,
      AccessToken: 600,
      Interaction: 600,
      Session: 600,
      Grant: 600,
    },
  });

  const loginPage = (uid: string) => `<!doctype html><html lang="nl"><head><meta charset="utf-8">
<title>${escapeHtml(config.title)}</title></head><body><h1>${escapeHtml(config.title)}</h1>
<p>Testomgeving: geen echte inlogdienst.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>Gebruiker <input name="login" autofocus></label>
<label>Betrouwbaarheidsniveau <select name="acr"><option value="">(geen)</option>${config.acrValues
    .map((v) => `<option value="${escapeHtml(v)}">${escapeHtml(v)}</option>`)
    .join('')}</select></label>
<button type="submit" id="inloggen">Inloggen</button></form></body></html>`;

  const callback = provider.callback();
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', issuer);
    const interaction = /^\/interaction\/([\w-]+)(\/login)?$/.exec(url.pathname);
    try {
      if (interaction && request.method === 'GET' && !interaction[2]) {
        const details = await provider.interactionDetails(request, response);
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(loginPage(details.uid));
        return;
      }
      if (interaction && request.method === 'POST' && interaction[2]) {
        const form = await formOf(request);
        const login = form.get('login') ?? '';
        if (!config.accounts[login]) {
          response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
          response.end('onbekende gebruiker');
          return;
        }
        const acr = form.get('acr');
        await provider.interactionFinished(
          request,
          response,
          { login: { accountId: login, ...(acr ? { acr } : {}) } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
    } catch (error) {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      response.end((error as Error).message);
      return;
    }
    await callback(request, response);
  };
  server.on(
    'request',
    (request: IncomingMessage, response: ServerResponse) => void handle(request, response),
  );
  return issuer;
}

if (import.meta.main) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: test-idp.ts <config.json>');
    process.exit(2);
  }
  const issuer = await runTestIdp(JSON.parse(readFileSync(file, 'utf8')) as TestIdpConfig);
  console.log(`READY ${issuer}`);
}
