// Consents an organisation recorded in its own FHIR store (e.g. on paper, in assisted mode, with a
// period) count beside the client's register on the logbook: each active FHIR `Consent` whose
// period covers now becomes one consent record for the PDP. One that has expired, has not started,
// or is not active counts for nothing, so the region defaults apply again.
import type { Consent } from '@medplum/fhirtypes';
import type { ConsentRecord, ConsentRegister } from '@ketenlog/region';
import { granteeOfOrganisation } from '../pdp.ts';
import { CATEGORY_SYSTEM } from '../consent-resource.ts';

const URA_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/ura';
const PURPOSE_OF_CODE: Record<string, string> = { TREAT: 'treatment', HPAYMT: 'billing', HRESCH: 'research' };

const seconds = (iso: string | undefined): number | undefined => {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
};

/**
 * The records a local Consent gives at `now` (ms): one per class (category), or one for all. A
 * Consent naming an actor other than an organisation by URA, or a purpose it cannot read, gives
 * none — a local consent is never read more widely than it says.
 */
export function localConsentRecords(consent: Consent, holder: string, now: number): ConsentRecord[] {
  const provision = consent.provision;
  if (consent.status !== 'active' || !provision || (provision.type !== 'permit' && provision.type !== 'deny'))
    return [];
  const start = seconds(provision.period?.start);
  const end = seconds(provision.period?.end);
  const at = Math.floor(now / 1000);
  if ((start !== undefined && start > at) || (end !== undefined && end <= at)) return [];
  const actors = provision.actor ?? [];
  const ura = actors[0]?.reference?.identifier;
  if (actors.length > 1 || (actors.length === 1 && (ura?.system !== URA_SYSTEM || !ura.value))) return [];
  const purposes = provision.purpose ?? [];
  const purpose = purposes.length === 1 ? PURPOSE_OF_CODE[purposes[0]?.code ?? ''] : undefined;
  if (purposes.length > 1 || (purposes.length === 1 && !purpose)) return [];
  const classes = (provision.class ?? []).filter((c) => c.system === CATEGORY_SYSTEM && c.code);
  if (classes.length !== (provision.class ?? []).length) return [];
  const categories: (string | undefined)[] = classes.length ? classes.map((c) => c.code) : [undefined];
  const iat = seconds(consent.dateTime) ?? seconds(consent.meta?.lastUpdated) ?? 0;
  return categories.map((category, index) => ({
    hash: `local:${holder}:Consent/${consent.id ?? ''}:${index}`,
    at: { iat, origin: `local:${holder}`, index },
    decision: provision.type === 'permit' ? 'grant' : 'objection',
    author: `ura:${holder}`,
    scope: {
      ...(ura?.value ? { grantee: granteeOfOrganisation(ura.value) } : {}),
      ...(category ? { category } : {}),
      ...(purpose ? { purpose } : {}),
    },
  }));
}

/** A register for one decision: the client's ledger from the logbook plus the local records. */
export function withLocalConsents(
  register: ConsentRegister,
  subject: string,
  local: readonly ConsentRecord[],
): ConsentRegister {
  if (local.length === 0) return register;
  const ledger = register.get(subject);
  return new Map([
    [
      subject,
      { records: [...(ledger?.records ?? []), ...local], revocations: ledger?.revocations ?? new Map() },
    ],
  ]);
}
