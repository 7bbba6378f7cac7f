// A versioned mCSD directory on the node's database: every change of a resource is a new version
// with the server's time, so `_history?_since=` (mCSD ITI-91) answers exactly what changed. Each
// resource belongs to one source — the region (derived) or an upstream directory it was copied
// from — and a source's snapshot replaces only its own resources. A resource that leaves its source
// gets a deletion in the history (a follower must learn that too).
import type { BundleEntry, Resource } from '@medplum/fhirtypes';
import canonicalize from 'canonicalize';
import type { Db } from '@ketenlog/storage';

/** The mCSD resource types this directory holds (IHE mCSD; GF Addressing "Entities"). */
export const DIRECTORY_TYPES = [
  'Organization',
  'Endpoint',
  'HealthcareService',
  'Location',
  'OrganizationAffiliation',
  'PractitionerRole',
] as const;
export type DirectoryType = (typeof DIRECTORY_TYPES)[number];

export const isDirectoryType = (type: string): type is DirectoryType =>
  (DIRECTORY_TYPES as readonly string[]).includes(type);

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mcsd_versions (
  seq BIGINT PRIMARY KEY,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version BIGINT NOT NULL,
  source TEXT NOT NULL,
  last_updated TEXT NOT NULL,
  deleted BIGINT NOT NULL,
  current BIGINT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (type, id, version)
);
CREATE INDEX IF NOT EXISTS mcsd_versions_current ON mcsd_versions (type, current, id);
CREATE INDEX IF NOT EXISTS mcsd_versions_time ON mcsd_versions (last_updated, seq)
`;

interface VersionRow {
  seq: number;
  type: string;
  id: string;
  version: number;
  source: string;
  last_updated: string;
  deleted: number;
  body: string;
}

export interface StoredVersion {
  readonly type: string;
  readonly id: string;
  readonly version: number;
  readonly source: string;
  readonly lastUpdated: string;
  readonly deleted: boolean;
  /** The resource with meta.versionId and meta.lastUpdated (for a deletion: the last content). */
  readonly resource: Resource;
}

export interface HistoryQuery {
  readonly type?: DirectoryType;
  readonly id?: string;
  /** ISO instant: versions at or after it (inclusive, as the guide allows re-fetching the boundary). */
  readonly since?: string;
  readonly offset?: number;
  readonly count: number;
}

/** The content that decides whether a resource changed: all but meta's version and time. */
function contentOf(resource: Resource): string {
  const { meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, ...keptMeta } = meta ?? {};
  return canonicalize({ ...rest, ...(Object.keys(keptMeta).length ? { meta: keptMeta } : {}) }) as string;
}

function toVersion(row: VersionRow): StoredVersion {
  return {
    type: row.type,
    id: row.id,
    version: Number(row.version),
    source: row.source,
    lastUpdated: row.last_updated,
    deleted: Number(row.deleted) === 1,
    resource: JSON.parse(row.body) as Resource,
  };
}

export class DirectoryStore {
  readonly #db: Db;
  readonly #now: () => number;
  #lastTime = 0;

  private constructor(db: Db, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  static async open(db: Db, now: () => number = Date.now): Promise<DirectoryStore> {
    await db.exec(SCHEMA);
    return new DirectoryStore(db, now);
  }

  /** The server's time now, never earlier than a version already written (history stays ordered). */
  #stamp(): string {
    this.#lastTime = Math.max(this.#now(), this.#lastTime);
    return new Date(this.#lastTime).toISOString();
  }

  /** Now, as this directory tells it (Bundle.meta.lastUpdated: a follower's next `_since`). */
  serverTime(): string {
    return new Date(Math.max(this.#now(), this.#lastTime)).toISOString();
  }

  async #current(type: string, id: string): Promise<VersionRow | undefined> {
    const [row] = await this.#db.all<VersionRow>(
      'SELECT * FROM mcsd_versions WHERE type = ? AND id = ? AND current = 1',
      [type, id],
    );
    return row;
  }

  /**
   * Writes a version of `resource` for `source` unless its content is unchanged; true when written.
   * A resource another source owns is not taken over (false).
   */
  async put(source: string, resource: Resource, deleted = false): Promise<boolean> {
    const id = resource.id;
    if (!id || !isDirectoryType(resource.resourceType))
      throw new Error('a directory resource needs a type and an id');
    return this.#db.transaction(async (tx) => {
      // Several node processes of one organisation write the directory on one PostgreSQL: their
      // writes take turns (the next seq and version are read inside the turn).
      if (this.#db.dialect === 'postgres')
        await tx.all("SELECT pg_advisory_xact_lock(hashtext('mcsd_versions'))", []);
      const [current] = await tx.all<VersionRow>(
        'SELECT * FROM mcsd_versions WHERE type = ? AND id = ? AND current = 1',
        [resource.resourceType, id],
      );
      if (current && current.source !== source) return false;
      if (current && Number(current.deleted) === 1 && deleted) return false;
      if (
        current &&
        Number(current.deleted) !== 1 &&
        !deleted &&
        contentOf(JSON.parse(current.body) as Resource) === contentOf(resource)
      )
        return false;
      if (!current && deleted) return false;
      const version = current ? Number(current.version) + 1 : 1;
      const lastUpdated = this.#stamp();
      const body = {
        ...resource,
        meta: { ...resource.meta, versionId: String(version), lastUpdated },
      } as Resource;
      const [{ next }] = (await tx.all<{ next: number | null }>(
        'SELECT MAX(seq) + 1 AS next FROM mcsd_versions',
      )) as [{ next: number | null }];
      if (current) await tx.run('UPDATE mcsd_versions SET current = 0 WHERE seq = ?', [current.seq]);
      await tx.run(
        `INSERT INTO mcsd_versions (seq, type, id, version, source, last_updated, deleted, current, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)`,
        [
          Number(next ?? 1),
          resource.resourceType,
          id,
          version,
          source,
          lastUpdated,
          deleted ? 1 : 0,
          JSON.stringify(body),
        ],
      );
      return true;
    });
  }

  /** Whether the directory holds exactly this content for the resource now (from any source). */
  async holds(resource: Resource): Promise<boolean> {
    const row = resource.id ? await this.#current(resource.resourceType, resource.id) : undefined;
    return (
      row !== undefined &&
      Number(row.deleted) !== 1 &&
      contentOf(JSON.parse(row.body) as Resource) === contentOf(resource)
    );
  }

  /** Makes `source`'s resources exactly `resources`: new and changed ones versioned, missing ones deleted. */
  async replaceSource(source: string, resources: readonly Resource[]): Promise<number> {
    let changed = 0;
    const keep = new Set(resources.map((r) => `${r.resourceType}/${r.id}`));
    for (const resource of resources) if (await this.put(source, resource)) changed++;
    const owned = await this.#db.all<VersionRow>(
      'SELECT * FROM mcsd_versions WHERE source = ? AND current = 1 AND deleted = 0',
      [source],
    );
    for (const row of owned)
      if (
        !keep.has(`${row.type}/${row.id}`) &&
        (await this.put(source, JSON.parse(row.body) as Resource, true))
      )
        changed++;
    return changed;
  }

  async read(type: DirectoryType, id: string): Promise<StoredVersion | undefined> {
    const row = await this.#current(type, id);
    return row ? toVersion(row) : undefined;
  }

  /** The current, not deleted resources of a type, in id order. */
  async all(type: DirectoryType): Promise<Resource[]> {
    const rows = await this.#db.all<VersionRow>(
      'SELECT * FROM mcsd_versions WHERE type = ? AND current = 1 AND deleted = 0 ORDER BY id',
      [type],
    );
    return rows.map((row) => toVersion(row).resource);
  }

  /** Versions newest first, as FHIR R4 orders a history (http.html#history: oldest versions last). */
  async history(query: HistoryQuery): Promise<StoredVersion[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.type) {
      where.push('type = ?');
      params.push(query.type);
    }
    if (query.id) {
      where.push('id = ?');
      params.push(query.id);
    }
    if (query.since) {
      where.push('last_updated >= ?');
      params.push(query.since);
    }
    const rows = await this.#db.all<VersionRow>(
      `SELECT * FROM mcsd_versions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ? OFFSET ?`,
      [...params, query.count, query.offset ?? 0],
    );
    return rows.map(toVersion);
  }
}

/** A history Bundle entry for a stored version (FHIR R4 http.html#history). */
export function historyEntry(base: string, version: StoredVersion): BundleEntry {
  const url = `${version.type}/${version.id}`;
  return {
    fullUrl: `${base}/${url}`,
    ...(version.deleted ? {} : { resource: version.resource }),
    request: {
      method: version.deleted ? 'DELETE' : version.version === 1 ? 'POST' : 'PUT',
      url: version.version === 1 && !version.deleted ? version.type : url,
    },
    response: {
      status: version.deleted ? '204' : version.version === 1 ? '201' : '200',
      lastModified: version.lastUpdated,
      etag: `W/"${version.version}"`,
    },
  };
}
