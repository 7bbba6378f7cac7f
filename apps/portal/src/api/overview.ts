// The federated overview a professional asks her own node for (packages/exchange/src/member/
// overview.ts): every holder's records about one client, merged, each naming its source; one
// OperationOutcome saying per holder what was withheld (and why) or that it did not answer.
import { requestJson, type ApiResult } from './http.ts';
import type { Bundle, FhirResource } from './fhir.ts';

export const SOURCE_EXTENSION = 'https://ketenlog.nl/fhir/StructureDefinition/source-organisation';
const STATUS_SYSTEM = 'https://ketenlog.nl/fhir/CodeSystem/overview-status';

export interface Missing {
  status: 'withheld' | 'unreachable' | string;
  text: string;
  /** The category withheld (its code) and the organisation that holds it (URA), when stated. */
  category?: string;
  source?: string;
}
const CATEGORY_SYSTEM_SUFFIX = '/CodeSystem/category';

export const overviewApi = {
  /** With `breakTheGlass`, emergency access for this one request: the reason is logged and shown to her. */
  overview: (patient: string, breakTheGlass?: string): Promise<ApiResult<Bundle>> =>
    requestJson(
      `/exchange/overview?${new URLSearchParams({ patient, ...(breakTheGlass ? { breakTheGlass } : {}) })}`,
      {
        headers: { accept: 'application/fhir+json' },
      },
    ),
  organisations: (): Promise<ApiResult<RegionOrganisations>> => regionOnce(),
};

export interface RegionOrganisations {
  organisations?: { ura: string; name: string; type?: string }[];
}

let region: Promise<ApiResult<RegionOrganisations>> | undefined;
/** The region's organisations, asked once per page load (a failure is asked again next time). */
function regionOnce(): Promise<ApiResult<RegionOrganisations>> {
  region ??= requestJson<RegionOrganisations>('/portal/api/region-keys').then((r) => {
    if (r.kind !== 'ok') region = undefined;
    return r;
  });
  return region;
}

/** URA → organisation name; empty when the region's organisations could not be read. */
export function organisationNames(region: ApiResult<RegionOrganisations>): Map<string, string> {
  return new Map(region.kind === 'ok' ? (region.value.organisations ?? []).map((o) => [o.ura, o.name]) : []);
}

/** The URA of the organisation a resource in the overview came from. */
function sourceUraOf(resource: FhirResource): string | undefined {
  const extensions = (
    resource.meta as { extension?: { url?: string; valueIdentifier?: { value?: string } }[] }
  )?.extension;
  return extensions?.find((x) => x.url === SOURCE_EXTENSION)?.valueIdentifier?.value;
}

/** The resource with `meta.source` naming the organisation it came from (its URA when unnamed). */
export function withSourceName(resource: FhirResource, names: ReadonlyMap<string, string>): FhirResource {
  const ura = sourceUraOf(resource);
  return ura ? { ...resource, meta: { ...resource.meta, source: names.get(ura) ?? `URA ${ura}` } } : resource;
}

/** What the overview says is missing: withheld categories and holders that did not answer. */
export function missingOf(bundle: Bundle): Missing[] {
  return (bundle.entry ?? []).flatMap((e) => {
    const r = e.resource as
      | {
          resourceType: string;
          issue?: {
            details?: { text?: string; coding?: { system?: string; code?: string }[] };
            extension?: { url?: string; valueIdentifier?: { value?: string } }[];
          }[];
        }
      | undefined;
    if (r?.resourceType !== 'OperationOutcome') return [];
    return (r.issue ?? []).map((issue) => {
      const category = issue.details?.coding?.find((c) => c.system?.endsWith(CATEGORY_SYSTEM_SUFFIX))?.code;
      const source = issue.extension?.find((x) => x.url === SOURCE_EXTENSION)?.valueIdentifier?.value;
      return {
        status: issue.details?.coding?.find((c) => c.system === STATUS_SYSTEM)?.code ?? 'other',
        text: issue.details?.text ?? '',
        ...(category ? { category } : {}),
        ...(source ? { source } : {}),
      };
    });
  });
}
