// A Mitz notification: a transaction Bundle of Consents (profile Consent-Mitz-Notify 3.8.0) with
// the Patient (BSN) and the Organization (URA, type) they name, as in nuts-knooppunt
// component/mitz/example/example_notification_bundle.xml (commit 9beca4c). An active Consent with
// provision.type "permit" grants the listed consulting provider categories (RPZAC…); an inactive
// one says she does not (or no longer) consent for them. The node only learns that her choices
// changed and for which categories: the closed question stays the one source of a decision.
import type { Bundle, Consent, Organization, Patient, Resource } from '@medplum/fhirtypes';
import { BSN_SYSTEM, isValidBsn } from '@ketenlog/fhir';

export const EXT_PROVIDER_CATEGORY = 'http://fhir.nl/StructureDefinition/OTV-ProviderCategory';
const URA_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/ura';

export interface ConsentChange {
  readonly bsn: string;
  /** The data holder the choice is about (the Consent's custodian actor), when named. */
  readonly holder?: string;
  readonly decision: 'permit' | 'deny';
  /** OTV consulting provider categories (raadplegende zorgaanbiedercategorie), e.g. RPZAC005. */
  readonly providerCategories: readonly string[];
  /** OTV data category, e.g. GGC002 (behandelgegevens). */
  readonly dataCategory?: string;
}

export class InvalidNotification extends Error {}

export function parseNotification(value: unknown): ConsentChange[] {
  const bundle = value as Partial<Bundle> | null;
  if (!bundle || bundle.resourceType !== 'Bundle' || !Array.isArray(bundle.entry))
    throw new InvalidNotification('a Mitz notification is a Bundle with entries');
  const byUrl = new Map<string, Resource>();
  for (const entry of bundle.entry)
    if (entry.fullUrl && entry.resource) byUrl.set(entry.fullUrl, entry.resource);
  const changes: ConsentChange[] = [];
  for (const entry of bundle.entry) {
    if (entry.resource?.resourceType !== 'Consent') continue;
    const consent = entry.resource as Consent;
    const patient = byUrl.get(consent.patient?.reference ?? '') as Patient | undefined;
    const bsn = patient?.identifier?.find((i) => i.system === BSN_SYSTEM)?.value;
    if (!bsn || !isValidBsn(bsn))
      throw new InvalidNotification('a Consent without the Patient (BSN) it is about');
    const actor = consent.provision?.actor?.[0]?.reference?.reference;
    const organisation = actor ? (byUrl.get(actor) as Organization | undefined) : undefined;
    const holder = organisation?.identifier?.find((i) => i.system === URA_SYSTEM)?.value;
    const providerCategories = (consent.extension ?? [])
      .filter((e) => e.url === EXT_PROVIDER_CATEGORY)
      .flatMap((e) => e.valueCodeableConcept?.coding?.map((c) => c.code ?? '') ?? [])
      .filter(Boolean);
    changes.push({
      bsn,
      ...(holder ? { holder } : {}),
      decision: consent.status === 'active' && consent.provision?.type === 'permit' ? 'permit' : 'deny',
      providerCategories,
      ...(consent.category?.[0]?.coding?.[0]?.code
        ? { dataCategory: consent.category[0].coding[0].code }
        : {}),
    });
  }
  if (!changes.length) throw new InvalidNotification('a Mitz notification names at least one Consent');
  return changes;
}
