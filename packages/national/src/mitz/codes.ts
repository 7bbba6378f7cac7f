// The code systems of the Mitz closed question (OTV "gesloten autorisatievraag", XACML 3.0 with
// HL7v3 data types, as nuts-knooppunt's connector and its example message at commit 9beca4c use
// them), and how Ketenlog's organisation types and roles map onto them.
import type { OrganisationType } from '@ketenlog/region';

export const OID = {
  bsn: '2.16.840.1.113883.2.4.6.3',
  /** RoleCodeNL, care provider type (organisations): "zorgaanbiedertype". */
  facilityType: '2.16.840.1.113883.2.4.15.1060',
  /** URA, the UZI register's organisation numbers. */
  ura: '2.16.528.1.1007.3.3',
  /** UZI numbers of persons. */
  uziPerson: '2.16.528.1.1007.3.1',
  /** UZI role codes (the professional's role). */
  uziRole: '2.16.840.1.113883.2.4.15.111',
  /** OTV event codes; GGC002 is the closed question itself. */
  eventCode: '2.16.840.1.113883.2.4.3.111.5.10.1',
  purposeOfUse: '2.16.840.1.113883.1.11.20448',
} as const;

/** The event code of the closed question: "mag deze zorgaanbieder deze gegevens raadplegen?". */
export const CLOSED_QUESTION_EVENT = 'GGC002';

/**
 * Ketenlog's care organisation types as RoleCodeNL care provider types (Nictiz codelist
 * 2.16.840.1.113883.2.4.15.1060). Organisations outside care have none: Mitz is not asked for them.
 */
export const FACILITY_TYPES: Partial<Readonly<Record<OrganisationType, string>>> = {
  ziekenhuis: 'V4',
  huisarts: 'Z3',
  apotheek: 'J8',
  verloskunde: 'G3',
  kraamzorg: 'K4',
  vvt: 'X3',
};

/**
 * Ketenlog's clinical roles (the region file's role names) as UZI role codes. A role without a
 * code is asked as "99.000" (zorgverlener andere zorg); the node configuration may override.
 */
export const UZI_ROLES: Readonly<Record<string, string>> = {
  arts: '01.000',
  huisarts: '01.015',
  'medisch-specialist': '01.016',
  verloskundige: '03.000',
  apotheker: '17.000',
  verpleegkundige: '30.000',
};
export const OTHER_CARE_ROLE = '99.000';

export const facilityTypeOf = (type: OrganisationType): string | undefined => FACILITY_TYPES[type];
export const uziRoleOf = (role: string, overrides: Readonly<Record<string, string>> = {}): string =>
  overrides[role] ?? UZI_ROLES[role] ?? OTHER_CARE_ROLE;
