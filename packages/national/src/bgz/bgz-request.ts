// A BgZ request and its answer: which published BgZ query a request is (nothing else is served
// as the BgZ — the same allow-list as nuts-knooppunt's BgZ policy), the R4 search that answers it
// for one client, and the reduction `$lastn` and R4's missing parameters ask for.
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { BGZ_QUERIES, patientParameter, type BgzQuery } from './bgz-queries.ts';

/** A request in the published form: the path below the FHIR base, and its query parameters. */
export interface BgzRequest {
  /** e.g. `Observation/$lastn`, `Condition`. */
  readonly path: string;
  readonly params: readonly (readonly [string, string])[];
}

/**
 * Parameters compared as the policy does: the same names, each with the same values, where a
 * comma-separated value is a set (its order does not matter) and repeated parameters too.
 */
function normalised(params: readonly (readonly [string, string])[]): string {
  const byName = new Map<string, string[]>();
  for (const [name, value] of params) {
    const values = byName.get(name) ?? [];
    values.push(value.split(',').sort().join(','));
    byName.set(name, values);
  }
  return JSON.stringify([...byName].map(([name, values]) => [name, values.sort()]).sort());
}

const publishedForm = (query: BgzQuery): BgzRequest => {
  const [path, search = ''] = query.published.split('?');
  return { path: path!, params: [...new URLSearchParams(search)] };
};
const KEYS = new Map(
  BGZ_QUERIES.map((q) => {
    const form = publishedForm(q);
    return [`${form.path} ${normalised(form.params)}`, q];
  }),
);

/** The BgZ query a request is, or undefined (then it is no BgZ request). */
export function bgzQueryOf(request: BgzRequest): BgzQuery | undefined {
  const path = request.path.replace(/^\/+|\/+$/g, '');
  return KEYS.get(`${path} ${normalised(request.params)}`);
}

/** The R4 search answering a query for one client (her local Patient id). */
export function bgzSearch(
  query: BgzQuery,
  patient: string,
): { type: string; params: (readonly [string, string])[] } {
  return { type: query.r4.type, params: [[patientParameter(query.r4.type), patient], ...query.r4.params] };
}

/** The search as a path below the FHIR base, e.g. `Condition?patient=p1`. */
export function bgzSearchPath(query: BgzQuery, patient: string): string {
  const { type, params } = bgzSearch(query, patient);
  return `${type}?${new URLSearchParams(params.map(([n, v]) => [n, v])).toString()}`;
}

const codeKey = (resource: Resource): string => {
  const coding = (resource as { code?: { coding?: { system?: string; code?: string }[] } }).code?.coding?.[0];
  return `${coding?.system ?? ''}|${coding?.code ?? ''}`;
};

const timeOf = (resource: Resource): string => {
  const r = resource as { effectiveDateTime?: string; effectivePeriod?: { start?: string }; issued?: string };
  return r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.issued ?? '';
};

const carries = (resource: Resource, wanted: { system: string; code: string }): boolean => {
  const category = (resource as { category?: unknown }).category;
  const concepts = (Array.isArray(category) ? category : category ? [category] : []) as {
    coding?: { system?: string; code?: string }[];
  }[];
  return concepts.some((c) => c.coding?.some((x) => x.system === wanted.system && x.code === wanted.code));
};

/**
 * The answer to a BgZ query from the R4 search's answer: `$lastn` keeps the newest match per code
 * (with what it includes), a category R4 cannot search for is applied here; no total.
 */
export function bgzAnswer(query: BgzQuery, searchset: Bundle): Bundle {
  const entries = searchset.entry ?? [];
  const isMatch = (e: BundleEntry) =>
    e.search?.mode !== 'include' && e.resource?.resourceType === query.r4.type;
  let matches = entries.filter(isMatch);
  if (query.category) matches = matches.filter((e) => carries(e.resource!, query.category!));
  if (query.lastn) {
    const newest = new Map<string, BundleEntry>();
    for (const e of matches) {
      const key = codeKey(e.resource!);
      const seen = newest.get(key);
      if (!seen || timeOf(e.resource!) > timeOf(seen.resource!)) newest.set(key, e);
    }
    matches = [...newest.values()];
  }
  const kept = new Set(matches);
  const { total: _total, link: _link, ...rest } = searchset;
  return {
    ...rest,
    resourceType: 'Bundle',
    type: 'searchset',
    entry: entries.filter((e) => kept.has(e) || (!isMatch(e) && e.search?.mode !== 'match')),
  };
}
