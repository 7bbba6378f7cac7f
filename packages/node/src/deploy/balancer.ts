// Test and benchmark harness: Debian's HAProxy in front of one organisation's node processes
// (provisioned by test/global-setup.ts through test/haproxy.ts), round robin, with health checks
// on /readyz, and the waits that go with starting and killing processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HAPROXY = '/usr/sbin/haproxy';

export interface BalancerOptions {
  /** Where its configuration and logs go. */
  readonly dir: string;
  readonly frontPort: number;
  /** The processes' ports on 127.0.0.1. */
  readonly ports: readonly number[];
  /** Health checks on /readyz (off for a benchmark that never kills a process). Default true. */
  readonly check?: boolean;
  /** How long a process may take to answer. Default 30 s. */
  readonly serverTimeout?: string;
  /** The configuration's name in `dir`. Default haproxy. */
  readonly name?: string;
}

/** Starts HAProxy; resolves once its front answers /healthz. */
export async function startBalancer(options: BalancerOptions): Promise<ChildProcess> {
  const { dir, frontPort, ports, check = true, serverTimeout = '30s', name = 'haproxy' } = options;
  const file = join(dir, `${name}.cfg`);
  writeFileSync(
    file,
    [
      'global',
      '  maxconn 1024',
      'defaults',
      '  mode http',
      '  timeout connect 1s',
      // /readyz asks the database (up to 1 s): a busy process is not taken out for a slow check.
      '  timeout check 2s',
      '  timeout client 30s',
      `  timeout server ${serverTimeout}`,
      // A request that finds its process gone is sent to another one.
      '  retries 3',
      '  option redispatch',
      '  option forwardfor',
      'frontend organisation',
      `  bind 127.0.0.1:${frontPort}`,
      '  default_backend nodes',
      'backend nodes',
      '  balance roundrobin',
      ...(check ? ['  option httpchk GET /readyz', '  default-server inter 500ms fall 2 rise 1'] : []),
      ...ports.map((port, i) => `  server node${i + 1} 127.0.0.1:${port}${check ? ' check' : ''}`),
      '',
    ].join('\n'),
  );
  const child = spawn(HAPROXY, ['-f', file, '-db'], {
    stdio: ['ignore', openSync(join(dir, `${name}.log`), 'a'), openSync(join(dir, `${name}.err`), 'a')],
  });
  await waitFor(`http://127.0.0.1:${frontPort}/healthz`, 10_000, `HAProxy (see ${dir})`);
  return child;
}

/** Resolves once `url` answers 2xx; throws naming `what` after `timeoutMs`. */
export async function waitFor(url: string, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not answer at ${url}`);
}

/** Resolves once the child process has exited. */
export const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
