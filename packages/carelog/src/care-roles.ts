// Which professional roles do what in Mijn Zorg Log: one rule for the node's access checks and the
// portal's pages (browser-safe: no imports). Roles are the region file's role codes.

/** Logs visits and signs her entries. */
export const CARER_ROLE = 'kraamverzorgende';
/** Assesses approved hours and makes the declarations, at an insurer. */
export const ASSESSOR_ROLE = 'declaratiebeoordelaar';
/** Keep a maternity-care organisation's files (indications, every carer's entries). */
const ADMINISTRATION_ROLES: ReadonlySet<string> = new Set(['administratie', 'verloskundige']);

export type CareRole = 'carer' | 'administration' | 'assessor';

/** What a professional's role at her organisation lets her do in Mijn Zorg Log, if anything. */
export function careRoleOf(role: string | undefined): CareRole | undefined {
  if (role === undefined) return undefined;
  if (role === CARER_ROLE) return 'carer';
  if (role === ASSESSOR_ROLE) return 'assessor';
  return ADMINISTRATION_ROLES.has(role) ? 'administration' : undefined;
}
