// Passkeys (WebAuthn) for clients, representatives and professionals: enrolment after an identity
// check, login, statement signing verified as the logbook's witnesses verify it, and delegation.
export * from './credential.ts';
export * from './sql-credential-repository.ts';
export * from './challenge-store.ts';
export * from './es256-public-key.ts';
export * from './statement-assertion.ts';
export * from './identity-check.ts';
export * from './demo-digid.ts';
export * from './demo-digid-routes.ts';
export * from './session.ts';
export * from './login-rate-limit.ts';
export * from './passkey-service.ts';
export * from './delegation.ts';
export * from './sql-delegation-repository.ts';
export * from './page.ts';
export * from './routes.ts';
export * from '../professionals/index.ts';
export * from './relying-parties.ts';
export * from './oidc-identity-provider.ts';
export * from './delegation-routes.ts';
export * from './passkey-auth.ts';
export * from './demo-persons.ts';
export * from './statement-draft.ts';
export * from '../node-tokens/index.ts';
export * from '../oidc/index.ts';
export * from '../smart/index.ts';
export * from '../oidc-rp/index.ts';
