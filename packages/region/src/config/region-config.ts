// The region configuration every node loads (issue 4 item 1): who the members are, their public
// keys, the witness quorum, which role may author which statement kind, and demo professionals.
import { KIND_CARELOG_APPROVAL, KIND_CONSENT, type StatementKind } from '@ketenlog/logbook';

/** Organisation types of DESIGN.md "Participants". */
export const ORGANISATION_TYPES = [
  'kraamzorg',
  'verloskunde',
  'huisarts',
  'ziekenhuis',
  'apotheek',
  'vvt',
  'zorgverzekeraar',
  'rso',
  'statistiek',
] as const;
export type OrganisationType = (typeof ORGANISATION_TYPES)[number];

/** An organisation's own node (index, access, key statements, …). */
export const NODE_ROLE = 'node';
/** A client acting for herself with her passkey. */
export const CLIENT_ROLE = 'client';
/** A representative acting for a client under a delegation in force. */
export const DELEGATE_ROLE = 'delegate';
/** Roles every region defines; the witness rules depend on them. */
export const RESERVED_ROLES = [NODE_ROLE, CLIENT_ROLE, DELEGATE_ROLE] as const;
/** Kinds only the client herself or her delegate may author (DESIGN.md "The logbook"). */
export const CLIENT_ONLY_KINDS: readonly StatementKind[] = [KIND_CONSENT, KIND_CARELOG_APPROVAL];

export interface StatementKey {
  /** keyIdOf('Ed25519', publicKey), as statement.ts computes it. */
  readonly keyId: string;
  readonly alg: 'Ed25519';
  /** base64 of the 32-byte Ed25519 public key. */
  readonly publicKey: string;
}

export interface Organisation {
  /** URA: 8 digits. */
  readonly ura: string;
  readonly name: string;
  readonly type: OrganisationType;
  readonly node: { readonly id: string; readonly baseUrl: string };
  /** C2SP vkey (type 0x01) of the log's checkpoint key; its name is the log origin. */
  readonly logKey: string;
  /** C2SP vkey (type 0x04, cosignature/v1) of the node's witness. */
  readonly cosignerKey: string;
  readonly statementKeys: readonly StatementKey[];
}

/** Organisation types outside care: none of their roles may break the glass. */
export const OUTSIDE_CARE_TYPES: readonly OrganisationType[] = ['zorgverzekeraar', 'rso', 'statistiek'];

/**
 * The clinical roles that may use break-the-glass when the region file does not list them
 * (`breakTheGlass.roles`): physicians, nurses, midwives — those of them the region defines. Care
 * administration, insurers' assessors, analysts and pharmacists are not among them.
 */
export const DEFAULT_BREAK_THE_GLASS_ROLES: readonly string[] = [
  'arts',
  'medisch-specialist',
  'huisarts',
  'verloskundige',
  'verpleegkundige',
];

export interface Role {
  readonly name: string;
  readonly kinds: readonly StatementKind[];
  /** When given, only organisations of these types may have professionals in this role. */
  readonly organisationTypes?: readonly OrganisationType[];
}

export interface Professional {
  readonly id: string;
  readonly name: string;
  readonly organisation: string;
  readonly role: string;
}

export interface RegionConfig {
  readonly name: string;
  /** Every member's log origin is this prefix followed by its node id. */
  readonly logOriginPrefix: string;
  readonly organisations: readonly Organisation[];
  readonly witnesses: { readonly quorum: number; readonly members: readonly string[] };
  readonly roles: ReadonlyMap<string, Role>;
  /** The clinical roles that may break the glass (emergency access without consent). */
  readonly breakTheGlassRoles: ReadonlySet<string>;
  readonly professionals: readonly Professional[];
}

/** How statements name an organisation (index holder, consent grantee, agreement party). */
export function organisationRef(ura: string): string {
  return `ura:${ura}`;
}

/** The URA in an `ura:<URA>` reference, or undefined. */
export function uraOf(ref: string): string | undefined {
  return /^ura:(\d{8})$/.exec(ref)?.[1];
}

/** The checkpoint origin of an organisation's log. */
export function logOriginOf(config: RegionConfig, organisation: Organisation): string {
  return `${config.logOriginPrefix}${organisation.node.id}`;
}

export function findOrganisation(config: RegionConfig, ura: string): Organisation | undefined {
  return config.organisations.find((o) => o.ura === ura);
}

/** The member whose log has this origin: `<prefix><node id>` or below it (`…/<name>`). */
export function organisationOfLog(config: RegionConfig, origin: string): Organisation | undefined {
  return config.organisations.find((o) => {
    const base = logOriginOf(config, o);
    return origin === base || origin.startsWith(`${base}/`);
  });
}

export function mayAuthor(config: RegionConfig, role: string, kind: StatementKind): boolean {
  return config.roles.get(role)?.kinds.includes(kind) ?? false;
}
