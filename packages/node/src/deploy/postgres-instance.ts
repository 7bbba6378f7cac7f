// Test and benchmark harness: a PostgreSQL server of its own inside a lab host (initdb in a fresh
// directory, listening on the namespace's loopback), as each organisation would run its own.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Host } from './netns.ts';

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const version = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))[0]
    : undefined;
  if (!version) throw new Error('PostgreSQL is not installed. Run as root: apt-get install -y postgresql');
  return join(root, version, 'bin');
}

export interface PostgresInstance {
  /** Connection URL as seen from inside the host. */
  readonly url: string;
  stop(): void;
}

export function startPostgresIn(host: Host, dir: string): PostgresInstance {
  const bin = binDir();
  const data = join(dir, 'pgdata');
  mkdirSync(data, { recursive: true });
  const { uid, gid } = postgresIds();
  chownSync(dir, uid, gid);
  chownSync(data, uid, gid);
  const asPostgres = (args: string[]) => ['-u', 'postgres', '--', ...args];
  execFileSync(
    'runuser',
    asPostgres([join(bin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'ketenlog', '--no-sync']),
    {
      stdio: 'pipe',
    },
  );
  host.run(
    'runuser',
    asPostgres([
      join(bin, 'pg_ctl'),
      '-D',
      data,
      '-l',
      join(dir, 'postgres.log'),
      '-w',
      '-o',
      `-c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -p 5432 -c fsync=on`,
      'start',
    ]),
  );
  return {
    url: 'postgresql://ketenlog@127.0.0.1:5432/postgres',
    stop: () => {
      try {
        host.run('runuser', asPostgres([join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop']));
      } catch {
        // already stopped
      }
    },
  };
}
