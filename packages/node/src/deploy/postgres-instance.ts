// Test and benchmark harness: a PostgreSQL server of its own (initdb in a fresh directory), either
// inside a lab host (listening on the namespace's loopback), as each organisation would run its
// own, or on the machine's loopback at a port of its choosing, where a test may stop and start it
// without disturbing the suite's shared server.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
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
  /** Stops the server at once (`pg_ctl -m immediate`: crash recovery at the next start). */
  stop(): void;
  /** Starts it again on the same data and port. */
  start(): void;
}

/** Runs a command, as root, where the server lives (a lab host or this machine). */
type Runner = (command: string, args: string[]) => void;

function initPostgres(dir: string, port: number, host: string, run: Runner): PostgresInstance {
  if (process.getuid?.() !== 0) {
    throw new Error('a PostgreSQL server of its own needs root (initdb runs as the postgres user)');
  }
  const bin = binDir();
  const data = join(dir, 'pgdata');
  mkdirSync(data, { recursive: true });
  const { uid, gid } = postgresIds();
  chmodSync(dir, 0o755);
  chownSync(dir, uid, gid);
  chownSync(data, uid, gid);
  const asPostgres = (args: string[]) => ['-u', 'postgres', '--', ...args];
  execFileSync(
    'runuser',
    asPostgres([join(bin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'ketenlog', '--no-sync']),
    { stdio: 'pipe' },
  );
  const pgCtl = (...args: string[]) => run('runuser', asPostgres([join(bin, 'pg_ctl'), '-D', data, ...args]));
  const start = () =>
    pgCtl(
      '-l',
      join(dir, 'postgres.log'),
      '-w',
      '-o',
      `-c listen_addresses=${host} -c unix_socket_directories=${dir} -p ${port} -c fsync=on`,
      'start',
    );
  start();
  return {
    url: `postgresql://ketenlog@${host}:${port}/postgres`,
    start,
    stop: () => {
      try {
        pgCtl('-m', 'immediate', '-w', 'stop');
      } catch {
        // already stopped
      }
    },
  };
}

/** A server inside a lab host, on the namespace's loopback at 5432. */
export function startPostgresIn(host: Host, dir: string): PostgresInstance {
  return initPostgres(dir, 5432, '127.0.0.1', (command, args) => void host.run(command, args));
}

/** A server on this machine's loopback at `port`, its data under `dir`. Needs root. */
export function startLocalPostgres(dir: string, port: number): PostgresInstance {
  return initPostgres(
    dir,
    port,
    '127.0.0.1',
    (command, args) => void execFileSync(command, args, { stdio: 'pipe' }),
  );
}
