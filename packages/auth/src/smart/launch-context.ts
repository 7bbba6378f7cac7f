// Ties oidc-provider to SMART: the token response carries `patient` (the launch context), and a
// bearer token resolves to its scopes and patient for the FHIR guard.
import type Provider from 'oidc-provider';
import type { SmartAccess } from './fhir-guard.ts';

/** The FHIR Patient id of an account (a client's principal id), or undefined. */
export type PatientOf = (accountId: string) => Promise<string | undefined>;

export function addPatientToTokenResponse(provider: Provider, patientOf: PatientOf): void {
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.path !== '/token' || ctx.status !== 200 || typeof body?.['access_token'] !== 'string') return;
    const scope = typeof body['scope'] === 'string' ? body['scope'] : '';
    if (!scope.split(' ').includes('launch/patient')) return;
    const token = await provider.AccessToken.find(body['access_token']);
    const patient = token?.accountId === undefined ? undefined : await patientOf(token.accountId);
    if (patient !== undefined) ctx.body = { ...body, patient };
  });
}

export function providerTokenResolver(provider: Provider, patientOf: PatientOf) {
  return async (value: string): Promise<SmartAccess | undefined> => {
    const token = await provider.AccessToken.find(value);
    if (!token || token.isExpired || token.accountId === undefined) return undefined;
    const patient = await patientOf(token.accountId);
    return patient === undefined
      ? undefined
      : { scope: token.scope ?? '', patient, ...(token.exp ? { expiresAt: token.exp * 1000 } : {}) };
  };
}
