// One filter on every route that returns a client's data (read, search and its pages,
// _include/_revinclude, history, $everything, export): each resource passes only if the policy
// decision for its category permits. Bundle.total is dropped whenever the filter applies, so the
// count leaks nothing; OperationOutcome entries pass; history entries without a resource (deletes)
// are dropped, since their existence alone could disclose a category.
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { ConsentRegister } from '@ketenlog/region';
import { categoryOf } from '../localisation/categories.ts';
import {
  decideAccess,
  DEFAULT_REGION_RULES,
  type AccessDecision,
  type AccessRequest,
  type RegionRules,
} from '../pdp.ts';

/** Decides one resource (its category via categoryForConsent). */
export type ResourceDecider = (resource: Resource) => AccessDecision;

/** Category a resource counts as for consent; Patient and other non-care resources: `demographics`. */
export const DEMOGRAPHICS = 'demographics';

export const categoryForConsent = (resource: Resource): string => categoryOf(resource) ?? DEMOGRAPHICS;

/**
 * The PDP bound to one request: memoises per category (the PDP is pure, so one request asks it at
 * most once per category). Patient and other uncategorised resources count as `demographics`, a
 * category of its own: own-organisation treatment sees it; others need it granted.
 */
export function deciderFor(
  base: Omit<AccessRequest, 'category'>,
  consents: ConsentRegister,
  rules: RegionRules = DEFAULT_REGION_RULES,
): ResourceDecider {
  const cache = new Map<string, AccessDecision>();
  const decide = (category: string): AccessDecision => {
    let decision = cache.get(category);
    if (!decision) {
      decision = decideAccess({ ...base, category }, consents, rules);
      cache.set(category, decision);
    }
    return decision;
  };
  return (resource) => decide(categoryForConsent(resource));
}

export interface FilterOutcome<T> {
  readonly result: T;
  /** Decisions taken, one per distinct category (for audit). */
  readonly withheld: number;
}

/** Filters a searchset / history / collection Bundle; `total` is always removed. */
export function filterBundle(bundle: Bundle, decide: ResourceDecider): FilterOutcome<Bundle> {
  let withheld = 0;
  const entry: BundleEntry[] = [];
  for (const e of bundle.entry ?? []) {
    const resource = e.resource;
    if (!resource) {
      withheld++;
      continue;
    }
    if (resource.resourceType === 'OperationOutcome' || e.search?.mode === 'outcome') {
      entry.push(e);
      continue;
    }
    if (decide(resource).permit) entry.push(e);
    else withheld++;
  }
  const { total: _total, entry: _entry, ...rest } = bundle;
  return { result: { ...rest, ...(entry.length ? { entry } : {}) }, withheld };
}

/** Filters a plain resource list (e.g. a store's search result before it becomes a Bundle). */
export function filterResources<R extends Resource>(
  resources: readonly R[],
  decide: ResourceDecider,
): FilterOutcome<R[]> {
  const result = resources.filter((r) => decide(r).permit);
  return { result, withheld: resources.length - result.length };
}

/** A single read: the resource, or the decision that withholds it (answer 403/404 per region rule). */
export function guardRead<R extends Resource>(
  resource: R,
  decide: ResourceDecider,
): { readonly ok: true; readonly resource: R } | { readonly ok: false; readonly decision: AccessDecision } {
  const decision = decide(resource);
  return decision.permit ? { ok: true, resource } : { ok: false, decision };
}
