// The policy decision point: one pure function deciding whether a professional's organisation may
// see one category of a client's data for one purpose — the same call on every route (read,
// search and its pages, _include/_revinclude, history, $everything, export). It reads the client's
// consents in force (the region's state, folded from the logbook) and the region's defaults:
// - treatment inside the organisation that holds the data is implied;
// - everything else needs the client's consent; parties outside care are refused unless she
//   explicitly granted them;
// - among her decisions that cover the request, the most specific wins (who: an organisation before
//   a role before an organisation type before anyone; then a named category; then a named purpose)
//   and an objection wins a tie (generieke functies, "wie ziet wat");
// - the national consent service's answer (Mitz, when the holder asked it) is one more decision
//   in that same order, ranked as a choice about the requester's organisation type for treatment
//   (nationalConsentRecord below);
// - break-the-glass: only for treatment by a care organisation, only by a clinical role the region
//   file lists (`breakTheGlass.roles`), only with a reason; it is always logged and shown to the
//   client (the caller's duty, flagged in the decision).
import {
  consentsInForce,
  DEFAULT_BREAK_THE_GLASS_ROLES,
  DELEGATION_PURPOSE,
  type ConsentLedger,
  type ConsentRecord,
  type ConsentRegister,
  type OrganisationType,
} from '@ketenlog/region';

import { CARE_TYPES, PURPOSES, type Purpose } from './vocabulary.ts';
export { CARE_TYPES, PURPOSES, type Purpose } from './vocabulary.ts';

/** How a consent names whom it is about: `ura:<URA>`, `role:<role>`, `type:<organisation type>`. */
export const granteeOfOrganisation = (ura: string): string => `ura:${ura}`;
export const granteeOfRole = (role: string): string => `role:${role}`;
export const granteeOfType = (type: OrganisationType): string => `type:${type}`;

/** What the region file adds to the PDP's defaults (RegionConfig has it). */
export interface RegionRules {
  /** The clinical roles that may break the glass. */
  readonly breakTheGlassRoles: ReadonlySet<string>;
}

/** A region file's rules when it says nothing (the nodes pass their region's configuration). */
export const DEFAULT_REGION_RULES: RegionRules = {
  breakTheGlassRoles: new Set(DEFAULT_BREAK_THE_GLASS_ROLES),
};

export interface AccessRequest {
  /** The requesting organisation and the professional's role there. */
  readonly requester: { readonly ura: string; readonly type: OrganisationType; readonly role: string };
  /** The organisation that holds the data. */
  readonly holder: string;
  /** The client's pseudonym. */
  readonly subject: string;
  readonly category: string;
  readonly purpose: Purpose;
  readonly breakTheGlass?: { readonly reason: string };
  /** What the national consent service (Mitz) answered for this request, when the holder asked it. */
  readonly national?: NationalAnswer;
}

/**
 * Mitz's answer to the closed question: a permit, or a deny. Its NotApplicable, Indeterminate and
 * an unreachable Mitz are no answer at all (undefined): the region's consents and defaults decide.
 */
export type NationalAnswer = 'permit' | 'deny';

/** A question for the national consent service, as a holder puts it (see @ketenlog/national). */
export interface NationalConsentQuestion {
  readonly bsn: string;
  readonly holder: { readonly ura: string; readonly type: OrganisationType };
  readonly requester: AccessRequest['requester'];
  /** The professional asking (her identifier); Mitz needs one. */
  readonly professional: string;
  readonly purpose: Purpose;
}
export type NationalConsent = (question: NationalConsentQuestion) => Promise<NationalAnswer | undefined>;

/** The position a national answer takes in the precedence: never earlier or later than another. */
export const NATIONAL_CONSENT_HASH = 'national:mitz';

/**
 * Mitz's answer as one more decision of the client's. Mitz keeps her choices per kind of consulting
 * care provider (its provider categories are organisation types), for treatment, over all her
 * treatment data (GGC002): so its answer ranks exactly as her own consent naming the requester's
 * organisation type and the purpose treatment, without a category. A region consent naming the
 * organisation, the role or a category is more specific and wins over it; one naming only the type
 * and treatment ties with it, and an objection — hers or Mitz's deny — wins the tie; a consent for
 * anyone, or without a purpose, is less specific and gives way to it.
 */
export function nationalConsentRecord(answer: NationalAnswer, request: AccessRequest): ConsentRecord {
  return {
    hash: NATIONAL_CONSENT_HASH,
    at: { iat: 0, origin: NATIONAL_CONSENT_HASH, index: 0 },
    decision: answer === 'permit' ? 'grant' : 'objection',
    author: NATIONAL_CONSENT_HASH,
    scope: { grantee: granteeOfType(request.requester.type), purpose: 'treatment' },
  };
}

export type DecisionBasis =
  | 'own-organisation'
  | 'consent'
  | 'objection'
  | 'no-consent'
  | 'outside-care'
  | 'break-the-glass'
  | 'invalid'
  /** The client's own request (export, erasure): no consent governs her own data. */
  | 'client';

export interface AccessDecision {
  readonly permit: boolean;
  readonly basis: DecisionBasis;
  /** Dutch, for the professional's screen and the client's access list. */
  readonly reason: string;
  /** Hash of the consent statement the decision rests on, when it rests on one. */
  readonly consent?: string;
  /** Set for break-the-glass: log it and show it to the client. */
  readonly mustNotify?: boolean;
}

const permit = (basis: DecisionBasis, reason: string, consent?: string): AccessDecision => ({
  permit: true,
  basis,
  reason,
  ...(consent ? { consent } : {}),
});
const deny = (basis: DecisionBasis, reason: string, consent?: string): AccessDecision => ({
  permit: false,
  basis,
  reason,
  ...(consent ? { consent } : {}),
});

/** The requester's three names a consent may use for her, built once per decision. */
interface Names {
  readonly organisation: string;
  readonly role: string;
  readonly type: string;
}

/** How specific a consent's "who" is for this requester; undefined when it does not cover her. */
function granteeRank(grantee: string | undefined, names: Names): number | undefined {
  if (grantee === undefined) return 0;
  if (grantee === names.organisation) return 3;
  if (grantee === names.role) return 2;
  if (grantee === names.type) return 1;
  return undefined;
}

/**
 * Specificity as one comparable number (who, then category, then purpose), or undefined when the
 * record does not cover the request.
 */
function specificity(record: ConsentRecord, request: AccessRequest, names: Names): number | undefined {
  const { grantee, category, purpose } = record.scope;
  const who = granteeRank(grantee, names);
  if (who === undefined) return undefined;
  if (category !== undefined && category !== request.category) return undefined;
  if (purpose !== undefined && purpose !== request.purpose) return undefined;
  return who * 4 + Number(category !== undefined) * 2 + Number(purpose !== undefined);
}

/** The client's decision in force that governs this request, if any. */
function governing(records: readonly ConsentRecord[], request: AccessRequest): ConsentRecord | undefined {
  const names: Names = {
    organisation: granteeOfOrganisation(request.requester.ura),
    role: granteeOfRole(request.requester.role),
    type: granteeOfType(request.requester.type),
  };
  let best: ConsentRecord | undefined;
  let bestRank = -1;
  for (const record of records) {
    const rank = specificity(record, request, names);
    if (rank === undefined) continue;
    if (
      rank > bestRank ||
      (rank === bestRank && record.decision === 'objection' && best!.decision === 'grant')
    ) {
      best = record;
      bestRank = rank;
    }
  }
  return best;
}

interface InForce {
  readonly records: readonly ConsentRecord[];
  readonly revoked: number;
  readonly inForce: readonly ConsentRecord[];
}
const inForceCache = new WeakMap<ConsentLedger, InForce>();

/**
 * A client's data consents in force (delegations left out), memoised per ledger. The register only
 * grows: records are inserted (a copy found earlier replaces its record object) and revocations
 * added, so the same record objects and the same number of revocations mean the same answer.
 */
function dataConsentsInForce(ledger: ConsentLedger | undefined): readonly ConsentRecord[] {
  if (!ledger) return [];
  const cached = inForceCache.get(ledger);
  if (
    cached &&
    cached.revoked === ledger.revocations.size &&
    cached.records.length === ledger.records.length &&
    cached.records.every((r, i) => r === ledger.records[i])
  )
    return cached.inForce;
  const inForce = consentsInForce(ledger).filter((r) => r.scope.purpose !== DELEGATION_PURPOSE);
  inForceCache.set(ledger, { records: [...ledger.records], revoked: ledger.revocations.size, inForce });
  return inForce;
}

export function decideAccess(
  request: AccessRequest,
  consents: ConsentRegister,
  rules: RegionRules = DEFAULT_REGION_RULES,
): AccessDecision {
  if (!(PURPOSES as readonly string[]).includes(request.purpose)) {
    return deny('invalid', `Onbekend doel "${request.purpose}".`);
  }
  const care = CARE_TYPES.includes(request.requester.type);
  if (request.breakTheGlass !== undefined) {
    if (!request.breakTheGlass.reason.trim()) return deny('invalid', 'Noodtoegang vraagt om een reden.');
    if (!care || request.purpose !== 'treatment') {
      return deny('invalid', 'Noodtoegang is er alleen voor behandeling door een zorgaanbieder.');
    }
    if (!rules.breakTheGlassRoles.has(request.requester.role)) {
      return deny(
        'invalid',
        `Noodtoegang is voorbehouden aan de zorgverleners die de regio daarvoor aanwijst; de rol "${request.requester.role}" hoort daar niet bij.`,
      );
    }
    return {
      ...permit('break-the-glass', `Noodtoegang: ${request.breakTheGlass.reason.trim()}`),
      mustNotify: true,
    };
  }
  const own = dataConsentsInForce(consents.get(request.subject));
  // Mitz speaks only about treatment by other care providers (OTV); inside the holder it is not asked.
  const national =
    request.national !== undefined &&
    care &&
    request.purpose === 'treatment' &&
    request.requester.ura !== request.holder;
  const ruling = governing(
    national ? [...own, nationalConsentRecord(request.national!, request)] : own,
    request,
  );
  const viaMitz = ruling?.hash === NATIONAL_CONSENT_HASH;
  if (ruling?.decision === 'objection') {
    return viaMitz
      ? deny('objection', 'De cliënt heeft in Mitz geen toestemming gegeven voor deze inzage.')
      : deny('objection', 'De cliënt heeft bezwaar gemaakt tegen deze inzage.', ruling.hash);
  }
  if (ruling?.decision === 'grant') {
    return viaMitz
      ? permit('consent', 'De cliënt heeft in Mitz toestemming gegeven.')
      : permit('consent', 'De cliënt heeft toestemming gegeven.', ruling.hash);
  }
  if (care && request.purpose === 'treatment' && request.requester.ura === request.holder) {
    return permit('own-organisation', 'Behandeling binnen de eigen organisatie.');
  }
  if (!care)
    return deny(
      'outside-care',
      'Partijen buiten de zorg krijgen alleen inzage met uitdrukkelijke toestemming.',
    );
  return deny('no-consent', 'Hiervoor is toestemming van de cliënt nodig.');
}
