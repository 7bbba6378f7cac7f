// A real deployment in miniature: three organisations, each a `ketenlog node` process in its own
// network namespace with its own PostgreSQL server, talking HTTP over a bridge. Played: every
// node logs statements that the others mirror, witness and make final; a node partitioned and
// healed (finality waits below the quorum and resumes; its mirrors converge); a node killed with
// SIGKILL under load and restarted (no acknowledged statement lost; `ketenlog verify` passes); the
// Mijn Zorg Log story across the three (the maternity-care organisation, the insurer and the RSO
// whose pseudonym service names the mother, each node under its own domain name so passkeys work);
// a federated overview (withheld without her consent, given with it, the insurer's host down said
// so); JSON logs without BSNs.
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fromBase64, parseReceipt, verifyReceipt } from '@ketenlog/logbook';
import { signedIndexStatement } from '../logbook/testing.ts';
import { parseRegionConfig, receiptPolicyFor, type RegionConfig } from '@ketenlog/region';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import { loadNodeSecrets, type NodeSecrets } from '../region/membership.ts';
import { DEMO_SECRETS_FILE, demoRegionYaml } from '../region/testing.ts';
import { playCarelogStory, type StoryResult } from '../carelog/story.ts';
import { createLab, type Host, type Lab } from './netns.ts';
import { systemBearer, testSystem, type TestSystem } from '../access/testing.ts';
import { startPostgresIn, type PostgresInstance } from './postgres-instance.ts';

const CLI = join(import.meta.dirname, '../cli.ts');
const PORT = 8080;
const BSN = '999990019';

interface Org {
  readonly host: Host;
  readonly ura: string;
  /** Where the test reaches the node (its lab address). */
  readonly base: string;
  /** Its base URL in the region file (its domain name in the lab). */
  readonly origin: string;
  readonly dir: string;
  readonly configFile: string;
  readonly secrets: NodeSecrets;
  readonly postgres: PostgresInstance;
  process?: ChildProcess;
}

let lab: Lab;
/** Kraamzorg De Wieg, the insurer and the RSO, in the region file's order. */
let orgs: [Org, Org, Org];
let region: RegionConfig;
let story: StoryResult | undefined;
/** Each organisation's own system (its EHR), registered at its node: SMART Backend Services. */
let ehr: TestSystem;
const asEhr = async (org: Org): Promise<Record<string, string>> => ({
  authorization: await systemBearer(ehr, org.base),
});

async function waitReady(org: Org, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${org.base}/readyz`, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${org.ura} did not become ready; see ${org.dir}/node.log and node.err`);
}

function startNodeProcess(org: Org): void {
  // stdout: the JSON log; stderr: the human hints.
  const log = openSync(join(org.dir, 'node.log'), 'a');
  const hints = openSync(join(org.dir, 'node.err'), 'a');
  org.process = org.host.spawn(process.execPath, [CLI, 'node', '--config', org.configFile], {
    stdio: ['ignore', log, hints],
  });
}

const statementFor = (org: Org): string =>
  JSON.stringify(
    signedIndexStatement(
      { keyId: org.secrets.statementKeyId, secretKey: fromBase64(org.secrets.statementSecret)! },
      org.ura,
      randomBytes(18).toString('base64url'),
    ),
  );

const submit = (org: Org, body: string, wait: number) =>
  fetch(`${org.base}/logbook/statements?wait=${wait}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });

const status = async (org: Org) =>
  (await (await fetch(`${org.base}/logbook/status`)).json()) as {
    size: number;
    finalSize: number;
    mirrors: { origin: string; size: number }[];
  };

beforeAll(async () => {
  // Kraamzorg De Wieg, the insurer and the RSO, each under its own domain name.
  const uras = ['11110001', '11110004', '11110010'];
  lab = createLab(
    3,
    ['kraamzorg-dewieg', 'verzekeraar-zuid', 'rso-maasland'].map((n) => `${n}.ketenlog.test`),
  );
  const root = mkdtempSync(join(tmpdir(), 'ketenlog-deploy-'));
  // Each PostgreSQL server runs as the postgres user, under this folder.
  chmodSync(root, 0o755);
  const bases = lab.hosts.map((h) => `http://${h.address}:${PORT}`);
  const origins = lab.hosts.map((h) => `http://${h.hostname}:${PORT}`);
  const regionFile = join(root, 'region.yaml');
  writeFileSync(regionFile, demoRegionYaml({ uras, quorum: 2, baseUrls: origins }));
  region = parseRegionConfig(readFileSync(regionFile, 'utf8'), regionFile);
  ehr = await testSystem('epd');
  const jwksFile = join(root, 'epd.jwks.json');
  writeFileSync(jwksFile, JSON.stringify(ehr.client.jwks));
  const started = region.organisations.map((o, i): Org => {
    const [host, base, origin] = [lab.hosts[i], bases[i], origins[i]];
    assert(host && base && origin, `the lab has a host for ${o.ura}`);
    const dir = join(root, o.node.id);
    const postgres = startPostgresIn(host, mkdtempSync(join(root, `${o.node.id}-pg-`)));
    const secrets = loadNodeSecrets(DEMO_SECRETS_FILE, o.ura);
    const secretsFile = join(root, `${o.node.id}.secrets.json`);
    writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
    const configFile = join(root, `${o.node.id}.yaml`);
    writeFileSync(
      configFile,
      [
        `node: ${o.node.id}`,
        `organisation: { ura: "${o.ura}", name: "${o.name}", type: ${o.type} }`,
        `listen: { host: 0.0.0.0, port: ${PORT} }`,
        `database: ${postgres.url}`,
        'log: { level: info }',
        // The demo region's keys: a node outside demo mode refuses them.
        'demo: true',
        `region: { config: ${regionFile}, secrets: ${secretsFile} }`,
        `systems: [{ clientId: epd, name: EPD, jwks: ${jwksFile}, scope: "system/*.cruds" }]`,
        '',
      ].join('\n'),
    );
    mkdirSync(dir, { recursive: true });
    return { host, ura: o.ura, base, origin, dir, configFile, secrets, postgres };
  });
  const [kraamzorg, insurer, rso] = started;
  assert(kraamzorg && insurer && rso && started.length === 3, 'the region file has three organisations');
  orgs = [kraamzorg, insurer, rso];
  for (const o of orgs) startNodeProcess(o);
  await Promise.all(orgs.map((o) => waitReady(o)));
}, 120_000);

afterAll(async () => {
  for (const o of orgs ?? []) o.process?.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 300));
  for (const o of orgs ?? []) o.postgres.stop();
  lab?.close();
});

describe('three organisations in their own network namespaces, each on its own PostgreSQL', () => {
  it('store FHIR data and log statements that the others mirror, witness and make final', async () => {
    for (const org of orgs) {
      const created = await fetch(`${org.base}/fhir/Patient`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', ...(await asEhr(org)) },
        body: JSON.stringify({
          resourceType: 'Patient',
          identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: BSN }],
          name: [{ family: 'de Vries', given: ['Maria'] }],
        }),
      });
      expect(created.status).toBe(201);
      const response = await submit(org, statementFor(org), 15_000);
      expect(response.status).toBe(201);
      const { receipt } = (await response.json()) as { receipt: string };
      const origin = `${region.logOriginPrefix}${region.organisations.find((o) => o.ura === org.ura)!.node.id}`;
      const verified = verifyReceipt(
        receipt,
        parseReceipt(receipt).extra!,
        receiptPolicyFor(region, origin)!,
      );
      expect(verified.ok).toBe(true);
    }
    // Every mirror converges on every log.
    await expect
      .poll(
        async () => (await Promise.all(orgs.map(status))).every((s) => s.mirrors.every((m) => m.size === 1)),
        {
          timeout: 15_000,
        },
      )
      .toBe(true);
  });

  it('a partitioned witness holds finality below the quorum; healed, finality resumes and its mirror converges', async () => {
    const [a, , c] = orgs;
    c.host.disconnect();
    try {
      const pending = await submit(a, statementFor(a), 1500);
      expect(pending.status).toBe(202);
      const { index } = (await pending.json()) as { index: number };
      expect((await fetch(`${a.base}/logbook/receipts/${index}`)).status).toBe(202);
      c.host.reconnect();
      const final = await fetch(`${a.base}/logbook/receipts/${index}?wait=20000`);
      expect(final.status).toBe(200);
      const size = (await status(a)).size;
      await expect
        .poll(
          async () => (await status(c)).mirrors.find((m) => m.origin.endsWith('kraamzorg-dewieg'))?.size,
          {
            timeout: 15_000,
          },
        )
        .toBe(size);
    } finally {
      c.host.reconnect();
    }
  });

  it('a node killed with SIGKILL under load loses no acknowledged statement, restarts, and verifies', async () => {
    const b = orgs[1];
    const acked = new Map<number, string>();
    let stop = false;
    const writers = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const body = statementFor(b);
        try {
          const response = await submit(b, body, 0);
          if (response.status === 201 || response.status === 202) {
            const { index } = (await response.json()) as { index: number };
            acked.set(index, body);
          }
        } catch {
          // the node is gone: what was not acknowledged may or may not be in the log
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    b.process!.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(writers);
    expect(acked.size).toBeGreaterThan(20);

    startNodeProcess(b);
    await waitReady(b);
    const after = await status(b);
    expect(after.size).toBeGreaterThan(Math.max(...acked.keys()));
    for (const [index, body] of [...acked].slice(0, 200)) {
      const stored = (await (await fetch(`${b.base}/logs/statements/entry/${index}`)).json()) as {
        entry: string;
      };
      const envelope = JSON.parse(Buffer.from(stored.entry, 'base64').toString('utf8'));
      expect(envelope).toEqual(JSON.parse(body));
    }
    // Finality resumes after the restart.
    const last = Math.max(...acked.keys());
    expect((await fetch(`${b.base}/logbook/receipts/${last}?wait=20000`)).status).toBe(200);
    // `ketenlog verify` on the node's own PostgreSQL, from inside its namespace.
    const verify = b.host.run(process.execPath, [CLI, 'verify', '--data', b.postgres.url]);
    expect(verify).toContain('verified');
  });

  it('plays the Mijn Zorg Log story across the three, after the restart', async () => {
    const [kraamzorg, insurer] = orgs;
    const origin = `${region.logOriginPrefix}kraamzorg-dewieg`;
    const result = (story = await playCarelogStory({
      kraamzorg: kraamzorg.base,
      kraamzorgOrigin: kraamzorg.origin,
      insurer: insurer.base,
      insurerUra: insurer.ura,
      insurerAuthorization: (await asEhr(insurer)).authorization!,
      policy: receiptPolicyFor(region, origin)!,
    }));
    expect(result.statuses).toEqual(['approved', 'superseded', 'pending']);
    expect(result.insurerSaw).toEqual([result.approved]);
    expect(result.refusedDeclaration).toBe(422);
    expect(result.declared).toEqual([result.approved]);
  }, 90_000);

  it("answers a federated overview across the processes: withheld, consented, a holder's host down", async () => {
    const [kraamzorg, insurer] = orgs;
    const anna = story!.sessions.anna;
    const search = await fetch(
      `${kraamzorg.base}/fhir/Patient?identifier=http://fhir.nl/fhir/NamingSystem/bsn|${BSN}`,
      { headers: await asEhr(kraamzorg) },
    );
    const patient = ((await search.json()) as { entry: { resource: { id: string } }[] }).entry[0]!.resource
      .id;
    type Issue = {
      details?: { coding?: { code?: string }[] };
      extension?: { valueIdentifier?: { value?: string } }[];
    };
    const overview = async () => {
      const response = await fetch(`${kraamzorg.base}/exchange/overview?patient=${patient}`, {
        headers: { cookie: anna },
      });
      expect(response.status).toBe(200);
      const bundle = (await response.json()) as {
        entry?: { search?: { mode?: string }; resource?: { resourceType: string; issue?: Issue[] } }[];
      };
      const outcome = bundle.entry?.find((e) => e.search?.mode === 'outcome')?.resource;
      const holdersWith = (code: string) =>
        (outcome?.issue ?? [])
          .filter((i) => i.details?.coding?.some((c) => c.code === code))
          .map((i) => i.extension?.[0]?.valueIdentifier?.value);
      const sources = new Set(
        (bundle.entry ?? [])
          .filter((e) => e.search?.mode === 'match')
          .flatMap(
            (e) =>
              (e.resource as { meta?: { extension?: { valueIdentifier?: { value?: string } }[] } }).meta
                ?.extension ?? [],
          )
          .map((x) => x.valueIdentifier?.value),
      );
      return {
        withheld: holdersWith('withheld'),
        unreachable: holdersWith('unreachable'),
        sources: [...sources],
      };
    };
    // The insurer holds her policy but she gave kraamzorg no consent to see it: withheld, said so.
    expect(await overview()).toMatchObject({ withheld: [insurer.ura], unreachable: [] });
    // She consents, signing with her passkey at her kraamzorg's node; the insurer's node hears of
    // it through the logbook and answers.
    const maria = story!.sessions.maria;
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${kraamzorg.base}${path}`, {
        method: 'POST',
        headers: { cookie: maria, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, await response.clone().text()).toBe(200);
      return (await response.json()) as Record<string, unknown>;
    };
    const { drafts } = (await post('/exchange/consent-drafts', {
      decision: 'grant',
      actor: { kind: 'organisation', ura: kraamzorg.ura },
      categories: ['insurance', 'demographics'],
      purpose: 'treatment',
    })) as { drafts: unknown[] };
    for (const draft of drafts) {
      const begun = (await post('/auth/passkeys/statements/options', { draft })) as {
        statement: unknown;
        options: Parameters<StoryResult['passkey']['get']>[0];
      };
      await post('/auth/passkeys/statements/sign', {
        statement: begun.statement,
        response: story!.passkey.get(begun.options),
      });
    }
    await expect
      .poll(async () => (await overview()).sources, { timeout: 20_000, interval: 300 })
      .toContain(insurer.ura);
    insurer.host.disconnect();
    try {
      expect(await overview()).toMatchObject({ withheld: [], unreachable: [insurer.ura] });
    } finally {
      insurer.host.reconnect();
    }
  }, 60_000);

  it('answers no FHIR request from another address without a credential, whatever its spelling', async () => {
    for (const org of orgs) {
      for (const path of ['/fhir/Patient', '/%66hir/Patient', '/fhir/Patient?name=vries']) {
        const response = await fetch(`${org.base}${path}`);
        expect(response.status, `${org.ura} ${path}`).toBe(401);
        expect(await response.text()).not.toMatch(/Vries|999911120/);
      }
      for (const token of ['a.b.c', 'x']) {
        const response = await fetch(`${org.base}/fhir`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
          body: JSON.stringify({
            resourceType: 'Bundle',
            type: 'batch',
            entry: [{ request: { method: 'GET', url: 'Patient' } }],
          }),
        });
        expect(response.status, `${org.ura} ${token}`).toBe(401);
      }
    }
  });

  it('writes JSON logs that never carry a BSN', () => {
    for (const org of orgs) {
      const lines = readFileSync(join(org.dir, 'node.log'), 'utf8').split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      expect(lines.join('\n')).not.toContain(BSN);
    }
  });
});
