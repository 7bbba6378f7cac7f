// OpenID Connect relying parties of a node: towards a DigiD broker (passkeys/oidc-identity-provider.ts)
// and towards professionals' identity providers or Dezi, and the secret files their keys live in.
export * from './relying-party.ts';
export * from './professional-login.ts';
export * from './secret-file.ts';
export * from './sql-idp-accounts.ts';
