// One organisation as three `ketenlog node` processes behind HAProxy (Debian's, round robin, health
// checks on /readyz) on one PostgreSQL database, started together on an empty database: a
// professional logs in through the load balancer, her session works at every process, keeps
// working while one process is killed with SIGKILL, and her logout holds at the processes left.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'otplib';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegionConfig } from '@ketenlog/region';
import { freshPostgresSchema } from '@ketenlog/storage';
import { demoCredentialsOf } from '../auth/node-auth.ts';
import { cookieOf } from '../auth/testing.ts';
import { demoRegionOnFreePorts, freePorts } from '../region/testing.ts';
import { exited, startBalancer, waitFor } from './balancer.ts';

const CLI = join(import.meta.dirname, '../cli.ts');
const KRAAMZORG = '11110001';
const HOSPITAL = '11110003';
const ANNA = 'pro:anna-jansen';

interface NodeProcess {
  readonly base: string;
  readonly process: ChildProcess;
}

describe('three node processes of one organisation behind HAProxy', () => {
  let dir: string;
  let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
  let nodes: NodeProcess[] = [];
  let haproxy: ChildProcess | undefined;
  /** The organisation's one address: the load balancer. */
  let front: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ketenlog-lb-'));
    const files = await demoRegionOnFreePorts({ uras: [KRAAMZORG, HOSPITAL], quorum: 1 });
    const organisation = loadRegionConfig(files.regionFile).organisations.find((o) => o.ura === KRAAMZORG)!;
    front = organisation.node.baseUrl.replace(/\/$/, '');
    const frontPort = new URL(front).port;
    schema = await freshPostgresSchema();
    const database = `${schema.url}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    const ports = await freePorts(3);

    // All three start at once on the empty database, as after a deployment.
    nodes = ports.map((port, i) => {
      const configFile = join(dir, `node${i + 1}.yaml`);
      writeFileSync(
        configFile,
        stringify({
          node: organisation.node.id,
          organisation: { ura: organisation.ura, name: organisation.name, type: organisation.type },
          listen: { host: '127.0.0.1', port },
          database,
          fhir: { source: 'local' },
          log: { level: 'warn' },
          region: { config: files.regionFile, secrets: files.secretsFile },
          loadBalancers: ['127.0.0.1/32'],
          demo: true,
        }),
      );
      const child = spawn(process.execPath, [CLI, 'node', '--config', configFile], {
        stdio: [
          'ignore',
          openSync(join(dir, `node${i + 1}.log`), 'a'),
          openSync(join(dir, `node${i + 1}.err`), 'a'),
        ],
      });
      return { base: `http://127.0.0.1:${port}`, process: child };
    });
    await Promise.all(nodes.map((n, i) => waitFor(`${n.base}/readyz`, 60_000, `node ${i + 1} (see ${dir})`)));
    haproxy = await startBalancer({ dir, frontPort: Number(frontPort), ports });
    await waitFor(`${front}/readyz`, 10_000, 'HAProxy');
  }, 120_000);

  afterAll(async () => {
    for (const child of [...nodes.map((n) => n.process), haproxy]) child?.kill('SIGKILL');
    await Promise.all([...nodes.map((n) => exited(n.process)), ...(haproxy ? [exited(haproxy)] : [])]);
    await schema?.drop();
    // KEEP_LB=1 keeps the processes' logs and configuration for a look after a failure.
    if (dir && !process.env.KEEP_LB) rmSync(dir, { recursive: true, force: true });
  });

  const sessionAt = (base: string, cookie: string) =>
    fetch(`${base}/auth/session`, { headers: { cookie }, signal: AbortSignal.timeout(5000) });

  it('keeps a session through the load balancer at every process, through a SIGKILL, until she logs out', async () => {
    const { password, totpSecret } = demoCredentialsOf(ANNA);
    const login = await fetch(`${front}/auth/professionals/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: ANNA, password, totp: await generate({ secret: totpSecret }) }),
    });
    expect(login.status).toBe(200);
    const cookie = cookieOf(login);
    for (const node of nodes) expect((await sessionAt(node.base, cookie)).status).toBe(200);
    for (let i = 0; i < 6; i++) expect((await sessionAt(front, cookie)).status).toBe(200);

    const [killed, ...left] = nodes;
    killed!.process.kill('SIGKILL');
    await exited(killed!.process);
    for (let i = 0; i < 9; i++) {
      expect((await sessionAt(front, cookie)).status).toBe(200);
      const fhir = await fetch(`${front}/fhir/Patient?_count=1`, { headers: { cookie } });
      expect(fhir.status).toBe(200);
    }

    const logout = await fetch(`${front}/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(logout.status).toBe(200);
    for (const node of left) expect((await sessionAt(node.base, cookie)).status).toBe(401);
    expect((await sessionAt(front, cookie)).status).toBe(401);
  }, 60_000);

  it('limits login attempts per person behind the load balancer, over every process', async () => {
    // The load balancer appends the address it saw; here the test stands in for two people's
    // browsers by naming them itself (it reaches HAProxy from loopback, a trusted hop).
    const attempt = (person: string, i: number) =>
      fetch(`${front}/auth/professionals/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': person },
        body: JSON.stringify({ id: `pro:nobody-${i}`, password: 'wrong', totp: '000000' }),
      });
    for (let i = 0; i < 10; i++) expect((await attempt('192.0.2.1', i)).status).toBe(401);
    expect((await attempt('192.0.2.1', 10)).status).toBe(429);
    expect((await attempt('192.0.2.2', 11)).status).toBe(401);
  });
});
