// The mCSD Update Client (GF Addressing, "Update Client"; IHE mCSD ITI-90/ITI-91): follows upstream
// directories — an LRZa-style root and a regional one — into this node's directory. First load:
// search-type without parameters, paged, with the first page's Bundle.meta.lastUpdated as the
// sync timestamp; then `{type}/_history?_since=<timestamp>`, strictly in order, type by type
// (referenced types first), one request at a time; of several versions of a resource only the
// newest is applied. The timestamp is stored per directory and type and advances only after a type
// was applied completely, so a failed round is retried from where it stood. Applying is idempotent. What the region does not confirm (a
// member's endpoint or key) is a conflict: logged, listed in `status()`, not applied.
import type { Bundle, BundleEntry, Endpoint, Organization, Resource } from '@medplum/fhirtypes';
import type { Db } from '@ketenlog/storage';
import type { DirectoryStore, DirectoryType } from './directory-store.ts';
import { regionConflict, type RegionView } from './region-check.ts';

/** The load order the guide advises: referenced resources before those referring to them. */
export const SYNC_ORDER: readonly DirectoryType[] = [
  'Organization',
  'Location',
  'HealthcareService',
  'Endpoint',
  'OrganizationAffiliation',
  'PractitionerRole',
];

export interface UpstreamDirectory {
  /** A short name: the source of what it supplies, in the status and the logs. */
  readonly name: string;
  /** Its FHIR base URL. */
  readonly url: string;
}

export interface Conflict {
  readonly directory: string;
  readonly resource: string;
  readonly ura: string;
  readonly reason: string;
  readonly at: string;
}

export interface DirectoryStatus {
  readonly name: string;
  readonly url: string;
  readonly lastSync?: string;
  readonly lastError?: string;
  /** Per type: the upstream server time the replica is in sync up to. */
  readonly since: Readonly<Record<string, string>>;
  readonly applied: number;
}

export interface UpdateClientOptions {
  readonly db: Db;
  readonly store: DirectoryStore;
  readonly directories: readonly UpstreamDirectory[];
  /** The region as it stands now (the region file and the logbook's keys). */
  readonly region: () => RegionView;
  /** Headers for a request to a directory (e.g. a node token for a region member's directory). */
  readonly headers?: (url: string) => Promise<Record<string, string>>;
  readonly fetch?: typeof fetch;
  readonly log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  readonly types?: readonly DirectoryType[];
  readonly timeoutMs?: number;
  /** Pages per type and round, a guard against a directory that never stops. Default 1000. */
  readonly maxPages?: number;
  readonly now?: () => number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mcsd_sync (
  directory TEXT NOT NULL,
  type TEXT NOT NULL,
  since TEXT NOT NULL,
  PRIMARY KEY (directory, type)
)`;

export class UpdateError extends Error {
  override name = 'UpdateError';
}

const sourceOf = (directory: UpstreamDirectory) => `upstream:${directory.name}`;
const referenceTo = (resource: Resource) => `${resource.resourceType}/${resource.id}`;

export class McsdUpdateClient {
  readonly #options: UpdateClientOptions;
  readonly #conflicts = new Map<string, Conflict>();
  readonly #status = new Map<string, { lastSync?: string; lastError?: string; applied: number }>();
  #running: Promise<void> | undefined;

  private constructor(options: UpdateClientOptions) {
    this.#options = options;
  }

  static async open(options: UpdateClientOptions): Promise<McsdUpdateClient> {
    await options.db.exec(SCHEMA);
    return new McsdUpdateClient(options);
  }

  /** One synchronisation round over every directory; a round already running is joined. */
  sync(): Promise<void> {
    this.#running ??= this.#round().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #round(): Promise<void> {
    for (const directory of this.#options.directories) {
      const status = this.#status.get(directory.name) ?? { applied: 0 };
      this.#status.set(directory.name, status);
      try {
        for (const type of this.#options.types ?? SYNC_ORDER)
          status.applied += await this.#syncType(directory, type);
        status.lastSync = new Date((this.#options.now ?? Date.now)()).toISOString();
        delete status.lastError;
      } catch (error) {
        status.lastError = (error as Error).message;
        this.#options.log.warn(
          { directory: directory.name, err: status.lastError },
          'mCSD update failed; retrying from the last timestamp',
        );
      }
    }
  }

  async #get(directory: UpstreamDirectory, url: string): Promise<Bundle> {
    if (!url.startsWith(directory.url.replace(/\/$/, '')))
      throw new UpdateError(`${directory.name} links outside itself (${url})`);
    const headers = { accept: 'application/fhir+json', ...(await this.#options.headers?.(url)) };
    const response = await (this.#options.fetch ?? fetch)(url, {
      headers,
      redirect: 'error',
      signal: AbortSignal.timeout(this.#options.timeoutMs ?? 15_000),
    });
    if (!response.ok)
      throw new UpdateError(`${directory.name} answered ${response.status} for ${new URL(url).pathname}`);
    const bundle = (await response.json()) as Bundle;
    if (bundle?.resourceType !== 'Bundle') throw new UpdateError(`${directory.name} answered no Bundle`);
    return bundle;
  }

  /** Follows `next` links from `first`; calls `page` for each, in order. */
  async #pages(
    directory: UpstreamDirectory,
    first: string,
    page: (bundle: Bundle) => Promise<void>,
  ): Promise<string | undefined> {
    let url: string | undefined = first;
    let serverTime: string | undefined;
    for (let n = 0; url !== undefined; n++) {
      if (n >= (this.#options.maxPages ?? 1000)) throw new UpdateError(`${directory.name} pages without end`);
      const bundle = await this.#get(directory, url);
      serverTime ??= bundle.meta?.lastUpdated;
      await page(bundle);
      url = bundle.link?.find((l) => l.relation === 'next')?.url;
    }
    return serverTime;
  }

  async #syncType(directory: UpstreamDirectory, type: DirectoryType): Promise<number> {
    const base = directory.url.replace(/\/$/, '');
    const [row] = await this.#options.db.all<{ since: string }>(
      'SELECT since FROM mcsd_sync WHERE directory = ? AND type = ?',
      [directory.name, type],
    );
    let applied = 0;
    let since = row?.since;
    if (type === 'Endpoint') await this.#refreshOrganisations();
    if (since === undefined) {
      // Initial load (ITI-90-NL): everything, paged; then the history since the first page's time.
      const loaded = await this.#pages(directory, `${base}/${type}`, async (bundle) => {
        for (const entry of bundle.entry ?? [])
          if (entry.resource?.resourceType === type) applied += await this.#apply(directory, entry.resource);
      });
      if (!loaded) throw new UpdateError(`${directory.name} gave no Bundle.meta.lastUpdated for ${type}`);
      since = loaded;
    }
    // A history lists versions newest first (FHIR R4 http.html#history), possibly several of one
    // resource: only the newest of each counts (a later deletion wins over an earlier update).
    const newest = new Map<string, BundleEntry>();
    const next = await this.#pages(
      directory,
      `${base}/${type}/_history?_since=${encodeURIComponent(since)}`,
      async (bundle) => {
        for (const entry of bundle.entry ?? []) {
          const ref = entry.resource
            ? referenceTo(entry.resource)
            : /^[A-Za-z]+\/[A-Za-z0-9.-]{1,64}/.exec(entry.request?.url ?? '')?.[0];
          if (ref && !newest.has(ref)) newest.set(ref, entry);
        }
      },
    );
    for (const entry of [...newest.values()].reverse())
      applied += await this.#applyEntry(directory, type, entry);
    await this.#options.db.run(
      `INSERT INTO mcsd_sync (directory, type, since) VALUES (?, ?, ?)
       ON CONFLICT (directory, type) DO UPDATE SET since = excluded.since`,
      [directory.name, type, next ?? since],
    );
    return applied;
  }

  async #applyEntry(directory: UpstreamDirectory, type: DirectoryType, entry: BundleEntry): Promise<number> {
    if (entry.request?.method === 'DELETE') {
      const id = /^[A-Za-z]+\/([A-Za-z0-9.-]{1,64})/.exec(entry.request.url ?? '')?.[1];
      if (!id) return 0;
      this.#conflicts.delete(`${directory.name}|${type}/${id}`);
      return (await this.#options.store.put(
        sourceOf(directory),
        { resourceType: type, id } as Resource,
        true,
      ))
        ? 1
        : 0;
    }
    // An entry without `request` is still that version (nuts-knooppunt#233 skips it); one of another
    // type than the history asked for is not.
    return entry.resource?.resourceType === type ? this.#apply(directory, entry.resource) : 0;
  }

  async #apply(directory: UpstreamDirectory, resource: Resource): Promise<number> {
    const key = `${directory.name}|${referenceTo(resource)}`;
    if (!resource.id || !/^[A-Za-z0-9.-]{1,64}$/.test(resource.id)) return 0;
    const conflict = regionConflict(this.#options.region(), resource, (endpoint) => this.#usersOf(endpoint));
    if (conflict) {
      const first = !this.#conflicts.has(key);
      this.#conflicts.set(key, {
        directory: directory.name,
        resource: referenceTo(resource),
        ...conflict,
        at: new Date((this.#options.now ?? Date.now)()).toISOString(),
      });
      if (first)
        this.#options.log.warn(
          {
            directory: directory.name,
            resource: referenceTo(resource),
            ura: conflict.ura,
            reason: conflict.reason,
          },
          'mCSD conflict: not confirmed by the region, not applied',
        );
      return 0;
    }
    this.#conflicts.delete(key);
    const written = await this.#options.store.put(sourceOf(directory), resource);
    // Another source (the region itself, or a directory followed earlier) has this id: the same
    // content confirms it (a member's directory repeats the region's); other content is a conflict.
    if (!written && !(await this.#options.store.holds(resource)))
      this.#conflicts.set(key, {
        directory: directory.name,
        resource: referenceTo(resource),
        ura: '',
        reason: 'another source of this directory has this id with other content',
        at: new Date((this.#options.now ?? Date.now)()).toISOString(),
      });
    return written ? 1 : 0;
  }

  #organisations: Organization[] | undefined;

  /** The Organizations (applied so far, any source) that use or manage an Endpoint. */
  #usersOf(endpoint: Endpoint): Organization[] {
    return (this.#organisations ?? []).filter(
      (o) =>
        o.endpoint?.some((r) => r.reference === referenceTo(endpoint)) ||
        endpoint.managingOrganization?.reference === referenceTo(o),
    );
  }

  /** Loads the Organizations the Endpoint check needs, before each round's Endpoints. */
  async #refreshOrganisations(): Promise<void> {
    this.#organisations = (await this.#options.store.all('Organization')) as Organization[];
  }

  async status(): Promise<{ directories: DirectoryStatus[]; conflicts: Conflict[] }> {
    const rows = await this.#options.db.all<{ directory: string; type: string; since: string }>(
      'SELECT directory, type, since FROM mcsd_sync ORDER BY directory, type',
    );
    return {
      directories: this.#options.directories.map((d) => ({
        name: d.name,
        url: d.url,
        ...this.#status.get(d.name),
        applied: this.#status.get(d.name)?.applied ?? 0,
        since: Object.fromEntries(rows.filter((r) => r.directory === d.name).map((r) => [r.type, r.since])),
      })),
      conflicts: [...this.#conflicts.values()],
    };
  }
}
