// The federated overview: ask every holder of a client's data in parallel, each with its own
// node-to-node token and a timeout, and merge one Bundle. Each entry names its source
// organisation; a holder that is down, slow or refuses yields an OperationOutcome warning and is
// listed as missing, never a hang. Nothing is kept beyond the call.
import type { Bundle, BundleEntry, OperationOutcome } from '@medplum/fhirtypes';

export interface Holder {
  /** URA of the holding organisation. */
  readonly ura: string;
  /** Its FHIR base, e.g. `https://node.example/fhir` (a configured region member only). */
  readonly fhirBase: string;
}

/** One of several searches asked of a holder (a query set such as the BgZ), and how to read its answer. */
export interface HolderQuery {
  readonly path: string;
  readonly answer?: (searchset: Bundle) => Bundle;
}

export interface OverviewOptions {
  readonly holders: readonly Holder[];
  /**
   * Path relative to each holder's FHIR base, e.g. `Patient/<id>/$everything` or `Observation?patient=…`;
   * or a query set, each query asked with its own token, the answers merged (a resource once).
   */
  readonly path: (
    holder: Holder,
  ) => string | readonly HolderQuery[] | Promise<string | readonly HolderQuery[]>;
  /** Issues a node token for one holder (audience = its base); injected (packages/auth node-tokens). */
  readonly issueToken: (holder: Holder) => Promise<string>;
  readonly timeoutMs?: number;
  readonly fetch?: (url: string, init?: RequestInit) => Promise<Response>;
}

export const SOURCE_EXTENSION = 'https://ketenlog.nl/fhir/StructureDefinition/source-organisation';

export interface Overview {
  readonly bundle: Bundle;
  readonly missing: readonly { readonly ura: string; readonly reason: string }[];
}

/** Queries of one query set asked of a holder at the same time. */
const QUERY_SET_PARALLEL = 6;

async function ask(holder: Holder, options: OverviewOptions): Promise<BundleEntry[]> {
  const path = await options.path(holder);
  if (typeof path === 'string') return askOne(holder, { path }, options);
  const entries: BundleEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < path.length; i += QUERY_SET_PARALLEL) {
    const answers = await Promise.all(
      path.slice(i, i + QUERY_SET_PARALLEL).map((q) => askOne(holder, q, options)),
    );
    for (const entry of answers.flat()) {
      const key = `${entry.resource!.resourceType}/${entry.resource!.id ?? entry.fullUrl ?? entries.length}`;
      if (seen.has(key)) continue;
      seen.add(key);
      entries.push(entry);
    }
  }
  return entries;
}

async function askOne(holder: Holder, query: HolderQuery, options: OverviewOptions): Promise<BundleEntry[]> {
  const token = await options.issueToken(holder);
  const url = `${holder.fhirBase.replace(/\/$/, '')}/${query.path.replace(/^\//, '')}`;
  const response = await (options.fetch ?? fetch)(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
    signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status}`);
  }
  const json = (await response.json()) as { resourceType?: string; entry?: BundleEntry[] };
  if (json.resourceType !== 'Bundle') throw new Error('answer is not a Bundle');
  const body = query.answer ? query.answer(json as Bundle) : json;
  return (body.entry ?? [])
    .filter((e) => e.resource && e.resource.resourceType !== 'OperationOutcome')
    .map((e) => ({
      ...(e.fullUrl ? { fullUrl: e.fullUrl } : {}),
      resource: {
        ...e.resource!,
        meta: {
          ...e.resource!.meta,
          extension: [
            ...(e.resource!.meta?.extension ?? []),
            {
              url: SOURCE_EXTENSION,
              valueIdentifier: { system: 'http://fhir.nl/fhir/NamingSystem/ura', value: holder.ura },
            },
          ],
        },
      } as BundleEntry['resource'],
      search: { mode: 'match' as const },
    }));
}

const reasonOf = (error: unknown): string =>
  error instanceof Error ? (error.name === 'TimeoutError' ? 'timeout' : error.message) : 'unknown error';

export async function federatedOverview(options: OverviewOptions): Promise<Overview> {
  const results = await Promise.allSettled(options.holders.map((h) => ask(h, options)));
  const entry: BundleEntry[] = [];
  const missing: { ura: string; reason: string }[] = [];
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') entry.push(...result.value);
    // allSettled keeps the order of options.holders, one result per holder.
    else missing.push({ ura: options.holders[i]!.ura, reason: reasonOf(result.reason) });
  });
  if (missing.length) {
    const outcome: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: missing.map((m) => ({
        severity: 'warning',
        code: 'incomplete',
        diagnostics: `Organisatie ${m.ura} gaf geen antwoord (${m.reason}); het overzicht is onvolledig.`,
      })),
    };
    entry.push({ resource: outcome, search: { mode: 'outcome' } });
  }
  // No total: the merged count is of filtered answers.
  return { bundle: { resourceType: 'Bundle', type: 'searchset', entry }, missing };
}
