/**
 * Provisions Debian's HAProxy for the deployment test that runs one organisation as three node
 * processes behind a load balancer. Never skips silently: without HAProxy, and without root to
 * install it, it throws with the command to run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const HAPROXY_PATH = '/usr/sbin/haproxy';
const INSTALL = 'apt-get update && apt-get install -y haproxy';

/** The HAProxy binary; installs it first when root and missing. */
export function ensureHaproxy(): string {
  if (existsSync(HAPROXY_PATH)) return HAPROXY_PATH;
  if (process.getuid?.() !== 0)
    throw new Error(`HAProxy is needed for the load-balanced deployment test. Run as root: ${INSTALL}`);
  execFileSync('sh', ['-c', `${INSTALL} >/dev/null 2>&1`], { stdio: 'pipe' });
  if (!existsSync(HAPROXY_PATH)) throw new Error(`HAProxy is not installed after: ${INSTALL}`);
  return HAPROXY_PATH;
}
