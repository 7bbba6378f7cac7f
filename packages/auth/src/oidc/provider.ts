// The node's authorization server on oidc-provider: discovery, authorization code with PKCE
// (required, S256), refresh tokens, client credentials for systems and token revocation. Storage
// is the node's database; keys come from the caller (configuration, or the demo's stored key).
import Provider, { type ClientMetadata, type Configuration, type JWK } from 'oidc-provider';
import type { Db } from '@ketenlog/storage';
import { sqlOidcAdapterFactory } from './sql-adapter.ts';
import { CLIENT_ASSERTION_ALGS } from './backend-services.ts';

export interface AuthorizationServerOptions {
  /** Full issuer URL including the mount prefix, e.g. https://node.example/oidc. */
  readonly issuer: string;
  readonly db: Db;
  readonly signingKeys: readonly JWK[];
  /** Secrets for signing the provider's cookies (at least one, 32+ characters). */
  readonly cookieKeys: readonly string[];
  readonly clients: readonly ClientMetadata[];
  /** Claims of an account (the `sub` is the principal id the login established). */
  readonly accountClaims?: (accountId: string) => Promise<Record<string, unknown> | undefined>;
  /** Extra scopes beyond openid/offline_access (e.g. SMART scopes). */
  readonly scopes?: readonly string[];
  /** Extra configuration merged last (e.g. extraTokenClaims for SMART). */
  readonly extra?: Partial<Configuration>;
  readonly mountPath: string;
}

export function createAuthorizationServer(options: AuthorizationServerOptions): Provider {
  const accountClaims = options.accountClaims ?? (async () => ({}));
  const configuration: Configuration = {
    adapter: sqlOidcAdapterFactory(options.db),
    clients: [...options.clients],
    jwks: { keys: [...options.signingKeys] },
    cookies: { keys: [...options.cookieKeys] },
    pkce: { required: () => true },
    enabledJWA: {
      clientAuthSigningAlgValues: [...CLIENT_ASSERTION_ALGS] as NonNullable<
        Configuration['enabledJWA']
      >['clientAuthSigningAlgValues'],
    },
    scopes: ['openid', 'offline_access', ...(options.scopes ?? [])],
    claims: { openid: ['sub'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Only the client a token was issued to may revoke or introspect it.
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
    },
    interactions: { url: (_ctx, interaction) => `${options.mountPath}/interaction/${interaction.uid}` },
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    findAccount: async (_ctx, sub) => {
      const claims = await accountClaims(sub);
      if (claims === undefined) return undefined;
      return { accountId: sub, claims: async () => ({ ...claims, sub }) };
    },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 30 * 24 * 3600,
      RefreshToken: 30 * 24 * 3600,
    },
    ...options.extra,
  };
  const provider = new Provider(options.issuer, configuration);
  provider.proxy = true;
  return provider;
}
