// The Mitz subscription for consent changes ("abonnement", OTV): a FHIR Subscription a data
// holder places per client, so that Mitz notifies it when her choices change. Mitz accepts only
// status "requested", reason "OTV", criteria `Consent?_query=otv&patientid=…&providerid=…&
// providertype=…`, a rest-hook channel, and the extensions Patient.birthDate, GatewaySystem and
// SourceSystem (nuts-knooppunt component/mitz/README.md and example/example_subscription.xml,
// commit 9beca4c).
import type { Extension, Subscription } from '@medplum/fhirtypes';

export const SUBSCRIPTION_PATH = '/abonnementen/fhir/Subscription';
export const EXT_BIRTH_DATE = 'http://fhir.nl/StructureDefinition/Patient.birthDate';
export const EXT_GATEWAY_SYSTEM = 'http://fhir.nl/StructureDefinition/GatewaySystem';
export const EXT_SOURCE_SYSTEM = 'http://fhir.nl/StructureDefinition/SourceSystem';
const ALLOWED_EXTENSIONS = new Set([EXT_BIRTH_DATE, EXT_GATEWAY_SYSTEM, EXT_SOURCE_SYSTEM]);

export interface OtvSubscriptionRequest {
  readonly bsn: string;
  readonly birthDate?: string;
  /** The holder subscribing: its URA and care provider type. */
  readonly holder: { readonly ura: string; readonly facilityType: string };
  /** Where Mitz posts the notification bundle. */
  readonly endpoint: string;
  readonly gatewaySystem?: string;
  readonly sourceSystem?: string;
}

export function otvSubscription(request: OtvSubscriptionRequest): Subscription {
  const criteria = new URLSearchParams({
    _query: 'otv',
    patientid: request.bsn,
    providerid: request.holder.ura,
    providertype: request.holder.facilityType,
  });
  const extension: Extension[] = [
    ...(request.birthDate ? [{ url: EXT_BIRTH_DATE, valueDate: request.birthDate }] : []),
    ...(request.gatewaySystem ? [{ url: EXT_GATEWAY_SYSTEM, valueOid: request.gatewaySystem }] : []),
    ...(request.sourceSystem ? [{ url: EXT_SOURCE_SYSTEM, valueOid: request.sourceSystem }] : []),
  ];
  const subscription: Subscription = {
    resourceType: 'Subscription',
    ...(extension.length ? { extension } : {}),
    status: 'requested',
    reason: 'OTV',
    criteria: `Consent?${criteria.toString()}`,
    channel: { type: 'rest-hook', endpoint: request.endpoint, payload: 'application/fhir+json' },
  };
  const problems = otvSubscriptionProblems(subscription);
  if (problems.length) throw new Error(`OTV subscription: ${problems.join('; ')}`);
  return subscription;
}

/** What Mitz would refuse in a subscription (empty when it is acceptable). */
export function otvSubscriptionProblems(value: unknown): string[] {
  const s = value as Partial<Subscription> | null;
  if (!s || typeof s !== 'object' || s.resourceType !== 'Subscription') return ['not a Subscription'];
  const problems: string[] = [];
  if (s.status !== 'requested') problems.push('status must be "requested"');
  if (s.reason !== 'OTV') problems.push('reason must be "OTV"');
  const criteria = typeof s.criteria === 'string' ? s.criteria : '';
  if (!criteria.startsWith('Consent?_query=otv&'))
    problems.push('criteria must start with Consent?_query=otv&');
  const params = new URLSearchParams(criteria.split('?')[1] ?? '');
  const bsn = params.get('patientid') ?? '';
  // Mitz checks the BSN against the BRP; the published example uses a number that is no BSN.
  if (!/^\d{9}$/.test(bsn)) problems.push('criteria: patientid must be a BSN (nine digits)');
  if (!/^\d{8}$/.test(params.get('providerid') ?? '')) problems.push('criteria: providerid must be a URA');
  if (!/^[A-Za-z0-9]{1,8}$/.test(params.get('providertype') ?? ''))
    problems.push('criteria: providertype missing');
  if (s.channel?.type !== 'rest-hook') problems.push('channel.type must be "rest-hook"');
  if (!/^https?:\/\//.test(s.channel?.endpoint ?? ''))
    problems.push('channel.endpoint must be an http(s) URL');
  for (const e of s.extension ?? [])
    if (!ALLOWED_EXTENSIONS.has(e.url)) problems.push(`extension ${e.url} is not allowed`);
  return problems;
}
