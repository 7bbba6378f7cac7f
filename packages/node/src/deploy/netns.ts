// Test and benchmark harness: a small network of Linux network namespaces joined by a bridge, one
// namespace per organisation, each reaching the others (and the host) over veth links that can be
// cut and restored — real separate hosts as far as the nodes can tell. Needs root (ip netns).
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

export class LabError extends Error {
  override name = 'LabError';
}

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: 'pipe' });

export interface Host {
  readonly name: string;
  /** Its domain name inside the lab (every namespace resolves every host's name). */
  readonly hostname: string;
  /** Its address on the lab network. */
  readonly address: string;
  /** Runs a command inside the namespace (as root). */
  spawn(command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Runs a command inside the namespace to completion; returns its stdout. */
  run(command: string, args: readonly string[]): string;
  /** Cuts the host's link to the network (a partition), or restores it. */
  disconnect(): void;
  reconnect(): void;
}

export interface Lab {
  readonly hosts: readonly Host[];
  /** The host side's address on the lab network. */
  readonly gateway: string;
  close(): void;
}

/** Fails with the command to run when the harness cannot work here. */
export function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new LabError('network namespaces need root: run the tests as root (e.g. sudo npm test)');
  }
}

/**
 * Creates `count` namespaces on a fresh bridge with a random 10.x.y.0/24 network. Host i is named
 * `hostnames[i]` (default `host<i>.lab.test`): `ip netns exec` gives each namespace an
 * /etc/hosts from /etc/netns/<namespace>/, listing them all.
 */
export function createLab(count: number, hostnames: readonly string[] = []): Lab {
  requireRoot();
  const tag = `kl${randomInt(10_000, 99_999)}`;
  const net = `10.${randomInt(100, 250)}.${randomInt(1, 250)}`;
  const bridge = `${tag}br`;
  const made: string[] = [];
  const close = (): void => {
    for (const ns of made) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
      rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
    }
    try {
      ip('link', 'del', bridge);
    } catch {
      // already gone
    }
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${net}.1/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    const hosts = Array.from({ length: count }, (_, i): Host => {
      const name = `${tag}n${i}`;
      const outside = `${tag}h${i}`;
      const inside = `${tag}v${i}`;
      const address = `${net}.${11 + i}`;
      ip('netns', 'add', name);
      made.push(name);
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
      ip('link', 'set', inside, 'netns', name);
      ip('link', 'set', outside, 'master', bridge, 'up');
      ip('-n', name, 'addr', 'add', `${address}/24`, 'dev', inside);
      ip('-n', name, 'link', 'set', inside, 'up');
      ip('-n', name, 'link', 'set', 'lo', 'up');
      ip('-n', name, 'route', 'add', 'default', 'via', `${net}.1`);
      return {
        name,
        hostname: hostnames[i] ?? `host${i}.lab.test`,
        address,
        spawn: (command, args, options = {}) =>
          spawn('ip', ['netns', 'exec', name, command, ...args], options),
        run: (command, args) =>
          execFileSync('ip', ['netns', 'exec', name, command, ...args], { encoding: 'utf8', stdio: 'pipe' }),
        disconnect: () => void ip('link', 'set', outside, 'down'),
        reconnect: () => void ip('link', 'set', outside, 'up'),
      };
    });
    const table = ['127.0.0.1 localhost', ...hosts.map((h) => `${h.address} ${h.hostname}`), ''].join('\n');
    for (const host of hosts) {
      mkdirSync(`/etc/netns/${host.name}`, { recursive: true });
      writeFileSync(`/etc/netns/${host.name}/hosts`, table);
    }
    return { hosts, gateway: `${net}.1`, close };
  } catch (error) {
    close();
    throw new LabError(`cannot build the lab network: ${(error as Error).message}`, { cause: error });
  }
}
