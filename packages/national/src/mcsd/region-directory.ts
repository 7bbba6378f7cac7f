// The region's directory as mCSD resources (GF Addressing, minvws/generiekefuncties-docs 0.10.0,
// care-services.md "Entities"), derived — never typed in — from the region file and the logbook's
// key statements: per member an Organization (URA, SBI type), its Endpoints (FHIR API, this mCSD
// directory, its logbook with the keys the logbook holds active), a HealthcareService for its kind
// of care, and a PractitionerRole per professional the region file names. The region file knows no
// addresses, so there are no Locations.
import { createHash } from 'node:crypto';
import type {
  Endpoint,
  Extension,
  HealthcareService,
  Identifier,
  Organization,
  PractitionerRole,
  Resource,
} from '@medplum/fhirtypes';
import {
  keyStatus,
  NODE_ROLE,
  organisationRef,
  type KeyRegister,
  type Organisation,
  type OrganisationType,
  type RegionConfig,
} from '@ketenlog/region';

export const URA_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/ura';
export const SBI_SYSTEM = 'https://www.cbs.nl/standaard-bedrijfsindeling';
const CONNECTION_TYPE = 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type';
const PARTICIPANT_TYPE = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
/** How nuts-knooppunt recognises an mCSD directory among an organisation's Endpoints. */
export const DIRECTORY_PAYLOAD = {
  system:
    'http://nuts-foundation.github.io/nl-generic-functions-ig/CodeSystem/nl-gf-data-exchange-capabilities',
  code: 'http://nuts-foundation.github.io/nl-generic-functions-ig/CapabilityStatement/nl-gf-admin-directory-update-client',
};
const KETENLOG = 'https://ketenlog.nl/fhir';
export const ENDPOINT_KIND_SYSTEM = `${KETENLOG}/CodeSystem/endpoint-kind`;
export const LOG_KEY_EXTENSION = `${KETENLOG}/StructureDefinition/log-key`;
export const STATEMENT_KEY_EXTENSION = `${KETENLOG}/StructureDefinition/statement-key`;
const ORGANISATION_TYPE_SYSTEM = `${KETENLOG}/CodeSystem/organisation-type`;
const ROLE_SYSTEM = `${KETENLOG}/CodeSystem/role`;
const PROFESSIONAL_SYSTEM = `${KETENLOG}/NamingSystem/professional`;
const ASSIGNED_ID_SYSTEM = `${KETENLOG}/NamingSystem/mcsd`;
const GF = 'http://minvws.github.io/generiekefuncties-docs/StructureDefinition';

/** SBI 2025 (the GF organisation types) of each Ketenlog organisation type. */
const SBI: Readonly<Record<OrganisationType, readonly [string, string]>> = {
  kraamzorg: ['86942', 'Nursing and personal care at home and maternity care'],
  verloskunde: ['86941', 'Activities of midwifes'],
  huisarts: ['86210', 'General medical practice activities'],
  ziekenhuis: ['8610', 'Hospital activities'],
  apotheek: ['47730', 'Retail sale of pharmaceutical products'],
  vvt: ['8710', 'Residential nursing care activities'],
  zorgverzekeraar: ['65122', 'Activities of health insurance companies'],
  rso: ['84121', 'Public administration of health care, education, cultural and other social services'],
  statistiek: ['72200', 'Research and experimental development on social sciences and humanities'],
};

/** The kinds of Endpoint a member node has; each has its id `ura-<URA>-<kind>`. */
export const ENDPOINT_KINDS = ['fhir', 'mcsd', 'logbook'] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

export const organisationId = (ura: string): string => `ura-${ura}`;
export const endpointId = (ura: string, kind: EndpointKind): string => `ura-${ura}-${kind}`;

/** The GF CustodianAssignedIdentifier: assigned by the organisation that keeps the record. */
function assigned(system: string, value: string, custodian: string): Identifier {
  return {
    use: 'official',
    system,
    value,
    assigner: {
      identifier: {
        system: URA_SYSTEM,
        value: custodian,
        type: { coding: [{ system: PARTICIPANT_TYPE, code: 'custodian' }] },
      },
    },
  };
}

const reference = (type: string, id: string) => ({ reference: `${type}/${id}` });

/** The node statement keys the logbook holds active for an organisation (configured or bound later). */
export function activeNodeKeys(keys: KeyRegister, ura: string): { keyId: string; publicKey: string }[] {
  const holder = organisationRef(ura);
  return [...keys.bindings.values()]
    .filter((b) => b.role === NODE_ROLE && b.holder === holder && keyStatus(keys, b.keyId) === 'active')
    .map((b) => ({ keyId: b.keyId, publicKey: b.publicKey }))
    .sort((a, b) => a.keyId.localeCompare(b.keyId));
}

export function statementKeyExtension(key: { keyId: string; publicKey: string }): Extension {
  return {
    url: STATEMENT_KEY_EXTENSION,
    extension: [
      { url: 'keyId', valueString: key.keyId },
      { url: 'publicKey', valueBase64Binary: key.publicKey },
    ],
  };
}

function endpoints(org: Organisation, keys: KeyRegister): Endpoint[] {
  const base = org.node.baseUrl.replace(/\/$/, '');
  const endpoint = (kind: EndpointKind, address: string, rest: Partial<Endpoint>): Endpoint => ({
    resourceType: 'Endpoint',
    id: endpointId(org.ura, kind),
    meta: { profile: [`${GF}/nl-gf-endpoint`] },
    status: 'active',
    managingOrganization: reference('Organization', organisationId(org.ura)),
    name: `${org.name} — ${kind}`,
    address,
    connectionType: { system: CONNECTION_TYPE, code: 'hl7-fhir-rest' },
    payloadType: [{ coding: [{ system: ENDPOINT_KIND_SYSTEM, code: kind }] }],
    ...rest,
  });
  return [
    endpoint('fhir', `${base}/fhir`, { payloadMimeType: ['application/fhir+json; fhirVersion=4.0'] }),
    endpoint('mcsd', `${base}/mcsd`, {
      payloadType: [{ coding: [DIRECTORY_PAYLOAD, { system: ENDPOINT_KIND_SYSTEM, code: 'mcsd' }] }],
      payloadMimeType: ['application/fhir+json; fhirVersion=4.0'],
    }),
    // The logbook speaks C2SP tlog-tiles, not FHIR: its keys are what a follower checks.
    endpoint('logbook', `${base}/logs/statements`, {
      connectionType: { system: ENDPOINT_KIND_SYSTEM, code: 'c2sp-tlog-tiles' },
      extension: [
        { url: LOG_KEY_EXTENSION, valueString: org.logKey },
        ...activeNodeKeys(keys, org.ura).map(statementKeyExtension),
      ],
    }),
  ];
}

const safeId = (text: string): string =>
  /^[A-Za-z0-9.-]{1,40}$/.test(text) ? text : createHash('sha256').update(text).digest('hex').slice(0, 32);

/** Every mCSD resource of the region, in a stable order. */
export function regionDirectory(config: RegionConfig, keys: KeyRegister): Resource[] {
  const resources: Resource[] = [];
  for (const org of config.organisations) {
    const [sbi, sbiDisplay] = SBI[org.type];
    const own = endpoints(org, keys);
    const organization: Organization = {
      resourceType: 'Organization',
      id: organisationId(org.ura),
      meta: { profile: [`${GF}/nl-gf-organization`] },
      identifier: [assigned(URA_SYSTEM, org.ura, org.ura)],
      active: true,
      type: [
        {
          coding: [
            { system: SBI_SYSTEM, code: sbi, display: sbiDisplay },
            { system: ORGANISATION_TYPE_SYSTEM, code: org.type },
          ],
        },
      ],
      name: org.name,
      endpoint: own.map((e) => reference('Endpoint', e.id!)),
    };
    const service: HealthcareService = {
      resourceType: 'HealthcareService',
      id: `ura-${org.ura}-${org.type}`,
      meta: { profile: [`${GF}/nl-gf-healthcareservice`] },
      identifier: [assigned(ASSIGNED_ID_SYSTEM, `healthcareservice/${org.type}`, org.ura)],
      active: true,
      providedBy: reference('Organization', organisationId(org.ura)),
      type: [{ coding: [{ system: ORGANISATION_TYPE_SYSTEM, code: org.type }] }],
      name: org.name,
      endpoint: [reference('Endpoint', endpointId(org.ura, 'fhir'))],
    };
    resources.push(organization, ...own, service);
  }
  for (const professional of config.professionals) {
    const ura = /^(?:ura:)?(\d{8})$/.exec(professional.organisation)?.[1];
    if (!ura || !config.organisations.some((o) => o.ura === ura)) continue;
    const role: PractitionerRole = {
      resourceType: 'PractitionerRole',
      id: `ura-${ura}-professional-${safeId(professional.id)}`,
      identifier: [assigned(PROFESSIONAL_SYSTEM, professional.id, ura)],
      active: true,
      practitioner: { identifier: { system: PROFESSIONAL_SYSTEM, value: professional.id } },
      organization: reference('Organization', organisationId(ura)),
      code: [{ coding: [{ system: ROLE_SYSTEM, code: professional.role }] }],
      endpoint: [reference('Endpoint', endpointId(ura, 'fhir'))],
    };
    resources.push(role);
  }
  return resources;
}
