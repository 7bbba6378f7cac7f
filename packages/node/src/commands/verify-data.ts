import { openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { verifyData, verifierFromKey, type LogVerifyResult } from '@ketenlog/logbook';
import { openDatabase } from '@ketenlog/storage';
import { loadRegionConfig, RegionConfigError } from '@ketenlog/region';
import { UsageError, type Command } from './command.ts';

/** Every SQLite database file has this 16-byte header. */
const SQLITE_MAGIC = 'SQLite format 3\0';
/** How deep under --data <dir> to look for database files. */
const MAX_DEPTH = 4;

function isSqliteFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(16);
    return readSync(fd, header, 0, 16, 0) === 16 && header.toString('latin1') === SQLITE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/** The SQLite database files under a directory (by their header, not their name), sorted. */
function sqliteFilesUnder(dir: string, depth = 0): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth < MAX_DEPTH) found.push(...sqliteFilesUnder(path, depth + 1));
    else if (entry.isFile() && isSqliteFile(path)) found.push(path);
  }
  return found.sort();
}

/** The databases a --data value names: a PostgreSQL URL, a SQLite file, or the SQLite files in a folder. */
function databasesOf(data: string): string[] {
  if (/^postgres(ql)?:\/\//i.test(data)) return [data];
  let isDirectory: boolean;
  try {
    isDirectory = statSync(data).isDirectory();
  } catch {
    throw new UsageError(`ketenlog verify: ${data} does not exist`);
  }
  return isDirectory ? sqliteFilesUnder(data) : [data];
}

/** The database as it may be printed: never a password. */
function displayName(spec: string): string {
  if (!/^postgres(ql)?:\/\//i.test(spec)) return spec;
  try {
    const url = new URL(spec);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'PostgreSQL database';
  }
}

function describe(log: LogVerifyResult): string {
  if (log.ok) {
    const key = log.pinned ? 'trusted key' : 'registered key (not pinned: pass --log-key)';
    const tail = log.uncovered > 0 ? `, ${log.uncovered} committed after the last checkpoint` : '';
    return `  ok   ${log.logId}: ${log.size} entries, ${log.checkpoints} checkpoints, ${key}${tail}`;
  }
  const where = [
    log.firstBadIndex !== undefined ? `first bad index ${log.firstBadIndex}` : '',
    log.checkpointSize !== undefined ? `checkpoint of size ${log.checkpointSize}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `  BAD  ${log.logId}: ${log.problem}${where ? ` (${where})` : ''}`;
}

export const verifyDataCommand = {
  name: 'verify',
  summary: "re-derive every log from a node's stored data and check every signature",
  help: `Usage: ketenlog verify --data <dir or database> [--region <region.yaml>] [--log-key <vkey>]...

Checks every log stored in a node's database: re-derives every tree root from the stored entries,
checks each stored leaf hash and tree node, and each checkpoint's signature and root. Reports the
first bad index per log. Exit code 0 only when everything holds, 1 otherwise.
  --data <spec>       a SQLite file, a folder (every SQLite file under it), or a postgres:// URL
  --region <file>     trust the log keys the region file publishes (the node's own log and its
                      mirrors of the other members' logs)
  --log-key <vkey>    a trusted log verifier key (signed-note vkey), repeatable; matched to each
                      log by key name. Without these, each log's key registered in the database
                      (table log_keys) is used, which proves integrity but not authenticity.`,
  async run(args: string[]): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        data: { type: 'string' },
        region: { type: 'string' },
        'log-key': { type: 'string', multiple: true },
      },
    });
    if (!values.data) throw new UsageError('ketenlog verify: --data <dir or database> is required');
    const trustedKeys = [...(values['log-key'] ?? [])];
    if (values.region) {
      try {
        trustedKeys.push(...loadRegionConfig(values.region).organisations.map((o) => o.logKey));
      } catch (error) {
        if (error instanceof RegionConfigError) throw new UsageError(`ketenlog verify: ${error.message}`);
        throw error;
      }
    }
    for (const key of trustedKeys) {
      try {
        verifierFromKey(key);
      } catch (error) {
        throw new UsageError(`ketenlog verify: --log-key ${key.split('+')[0]}: ${(error as Error).message}`);
      }
    }
    const databases = databasesOf(values.data);
    if (databases.length === 0) {
      console.log(`No SQLite databases under ${values.data}: nothing verified.`);
      return 1;
    }
    let allOk = true;
    for (const spec of databases) {
      console.log(displayName(spec));
      const db = await openDatabase(spec);
      try {
        const started = performance.now();
        const result = await verifyData(db, { trustedKeys });
        if (result.logs.length === 0) console.log('  no logs');
        for (const log of result.logs) console.log(describe(log));
        console.log(
          `  ${result.ok ? 'verified' : 'FAILED'} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
        allOk &&= result.ok;
      } finally {
        await db.close();
      }
    }
    return allOk ? 0 : 1;
  },
} satisfies Command & { name: 'verify'; run(args: string[]): Promise<number> };
