// `ketenlog keys` over the real command line against two member nodes over real HTTP: a rotation
// signed with the old key reaches the logbook, the other member refuses the old key from then on,
// the restarted node signs with the new key, a node given a rotated-out key refuses to start, and
// a revocation shows in the list; plus the plain-language refusals (exit 2).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryBytes, fromBase64 } from '@ketenlog/logbook';
import { issueNodeToken } from '@ketenlog/auth';
import { judgeEntry } from '@ketenlog/region';
import { loadConfig } from '../config.ts';
import { NOTIFY_PATH } from '../logbook/notified-pull.ts';
import { signedIndexStatement } from '../logbook/testing.ts';
import { loadNodeSecrets, type NodeSecrets } from '../region/membership.ts';
import { DEMO_SECRETS_FILE, demoRegionYaml, freePorts } from '../region/testing.ts';
import { startNode, type RunningNode } from '../server.ts';

const CLI = join(import.meta.dirname, '../cli.ts');
const run = promisify(execFile);
/** The CLI as its own process (asynchronously: the nodes it talks to run in this one). */
async function ketenlog(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 60_000 });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout: string; stderr: string };
    return { status: e.code ?? -1, stdout: e.stdout, stderr: e.stderr };
  }
}

const A = '11110001';
const B = '11110002';
const PARTS = { logbook: { mirrorIntervalMs: 200, finalityRetryMs: 100 } };
let dir: string;
let urls: string[];
const configs: Record<string, string> = {};
const secretsFiles: Record<string, string> = {};
const nodes: Record<string, RunningNode> = {};
let oldSecrets: NodeSecrets;

const start = async (ura: string) => (nodes[ura] = await startNode(loadConfig(configs[ura]!), PARTS));
const submit = (url: string, body: unknown) =>
  fetch(`${url}/logbook/statements?wait=10000`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ketenlog-keys-'));
  const ports = await freePorts(2);
  urls = ports.map((p) => `http://127.0.0.1:${p}`);
  const regionFile = join(dir, 'region.yaml');
  writeFileSync(regionFile, demoRegionYaml({ uras: [A, B], quorum: 1, baseUrls: urls }));
  for (const [i, ura] of [A, B].entries()) {
    secretsFiles[ura] = join(dir, `${ura}.secrets.json`);
    writeFileSync(secretsFiles[ura], JSON.stringify(loadNodeSecrets(DEMO_SECRETS_FILE, ura)), {
      mode: 0o600,
    });
    configs[ura] = join(dir, `${ura}.yaml`);
    writeFileSync(
      configs[ura],
      [
        `node: ${i === 0 ? 'kraamzorg-dewieg' : 'verloskunde-delinde'}`,
        `organisation: { ura: "${ura}", name: Org ${ura}, type: ${i === 0 ? 'kraamzorg' : 'verloskunde'} }`,
        `listen: { host: 127.0.0.1, port: ${ports[i]} }`,
        `database: ${join(dir, `${ura}.sqlite`)}`,
        `region: { config: ${regionFile}, secrets: ${secretsFiles[ura]} }`,
        'log: { level: fatal }',
        'demo: true',
      ].join('\n'),
    );
  }
  oldSecrets = loadNodeSecrets(secretsFiles[A]!, A);
  await start(A);
  await start(B);
}, 120_000);

afterAll(async () => {
  for (const node of Object.values(nodes)) await node.close();
});

describe('ketenlog keys', () => {
  it('rotates the statement key on the logbook; the old key is refused, the restarted node signs with the new one', async () => {
    const before = await ketenlog(['keys', 'list', '--config', configs[A]!]);
    expect(before.status, before.stderr).toBe(0);
    expect(before.stdout).toMatch(
      new RegExp(`active +${oldSecrets.statementKeyId} .*this node signs with it`),
    );

    const rotated = await ketenlog(['keys', 'rotate', '--config', configs[A]!]);
    expect(rotated.status, rotated.stderr).toBe(0);
    const next = loadNodeSecrets(secretsFiles[A]!, A);
    expect(next.statementKeyId).not.toBe(oldSecrets.statementKeyId);
    expect(statSync(secretsFiles[A]!).mode & 0o777).toBe(0o600);
    expect(next.derivationSecret).toBe(oldSecrets.statementSecret);
    expect(next.retiredStatementKeys).toEqual([oldSecrets.statementKeyId]);
    expect(rotated.stdout).toContain(`${oldSecrets.statementKeyId} → ${next.statementKeyId}`);
    expect(rotated.stdout + rotated.stderr).not.toContain(next.statementSecret);
    expect(rotated.stdout).toMatch(/Restart the node/);

    const oldKey = { keyId: oldSecrets.statementKeyId, secretKey: fromBase64(oldSecrets.statementSecret)! };
    const newKey = { keyId: next.statementKeyId, secretKey: fromBase64(next.statementSecret)! };
    // The node's own logbook refuses the old key at once.
    const refused = await submit(urls[0]!, signedIndexStatement(oldKey, A, 'pseudonym-keys-1'));
    expect(refused.status).toBe(422);
    expect(JSON.stringify(await refused.json())).toMatch(/rotated out/);
    // The other member learns the rotation from its mirror of A's log, and refuses the old key:
    // as a witness judging A's entries, and as the verifier of A's node tokens.
    const b = nodes[B]!;
    await expect
      .poll(() => b.logbook!.state.keys.rotations.has(oldKey.keyId), { timeout: 15_000 })
      .toBe(true);
    const ref = { logId: 'mirror', origin: nodes[A]!.logbook!.origin };
    const entry = (key: typeof oldKey) => entryBytes(signedIndexStatement(key, A, 'pseudonym-keys-2'));
    expect(judgeEntry(b.logbook!.state, ref, entry(oldKey))).toMatchObject({ ok: false });
    expect(judgeEntry(b.logbook!.state, ref, entry(newKey))).toEqual({ ok: true });
    const notify = async (key: typeof oldKey) => {
      const token = await issueNodeToken(key, {
        organisation: A,
        audience: urls[1]!,
        role: 'node',
        purpose: 'billing',
      });
      return (
        await fetch(`${urls[1]}${NOTIFY_PATH}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{}',
        })
      ).status;
    };
    expect(await notify(oldKey)).toBe(401);
    expect(await notify(newKey)).toBe(202);

    // Restarted, the node signs with the new key; its statements become final at B's witness.
    await nodes[A]!.close();
    await start(A);
    expect(nodes[A]!.membership!.statementKey.keyId).toBe(newKey.keyId);
    const accepted = await submit(urls[0]!, signedIndexStatement(newKey, A, 'pseudonym-keys-3'));
    expect(accepted.status).toBe(201);

    const after = await ketenlog(['keys', 'list', '--config', configs[A]!]);
    expect(after.stdout).toMatch(new RegExp(`rotated +${oldKey.keyId} .*replaced by ${newKey.keyId}`));
    expect(after.stdout).toMatch(new RegExp(`active +${newKey.keyId} .*this node signs with it`));

    // A secrets file with the rotated-out key: the node refuses to start, and says why.
    await nodes[A]!.close();
    delete nodes[A];
    writeFileSync(secretsFiles[A]!, JSON.stringify(oldSecrets), { mode: 0o600 });
    await expect(start(A)).rejects.toThrow(/was rotated out on the logbook \(replaced by/);
    writeFileSync(secretsFiles[A]!, JSON.stringify(next), { mode: 0o600 });
    await start(A);

    // Revoking the old key: it reads as revoked with its reason.
    const revoked = await ketenlog([
      'keys',
      'revoke',
      '--config',
      configs[A]!,
      '--key-id',
      oldKey.keyId,
      '--reason',
      'compromised',
    ]);
    expect(revoked.status, revoked.stderr).toBe(0);
    const listed = await ketenlog(['keys', 'list', '--config', configs[A]!]);
    expect(listed.stdout).toMatch(new RegExp(`revoked +${oldKey.keyId} .*\\(compromised\\)`));
  }, 240_000);

  it('refuses in plain language, exit 2', async () => {
    const log = await ketenlog(['keys', 'rotate', '--config', configs[B]!, '--kind', 'log']);
    expect(log.status).toBe(2);
    expect(log.stderr).toMatch(/region file.*docs\/deploy\.md/s);
    const noReason = await ketenlog(['keys', 'revoke', '--config', configs[B]!, '--key-id', 'abc']);
    expect(noReason.status).toBe(2);
    expect(noReason.stderr).toMatch(/--reason must be one of compromised, superseded, retired/);
    const current = loadNodeSecrets(secretsFiles[B]!, B).statementKeyId;
    const own = await ketenlog([
      'keys',
      'revoke',
      '--config',
      configs[B]!,
      '--key-id',
      current,
      '--reason',
      'retired',
    ]);
    expect(own.status).toBe(2);
    expect(own.stderr).toMatch(/rotate first/);
    const down = await ketenlog(['keys', 'list', '--config', configs[B]!, '--url', 'http://127.0.0.1:1']);
    expect(down.status).toBe(2);
    expect(down.stderr).toMatch(/cannot read the log .* Is the node running\?/);
    const none = await ketenlog(['keys']);
    expect(none.status).toBe(2);
    expect((await ketenlog(['keys', '--help'])).stdout).toMatch(/keys rotate --config node\.yaml/);
    // Another organisation's key is not this one's to revoke: the logbook's rule says so.
    const foreign = await ketenlog([
      'keys',
      'revoke',
      '--config',
      configs[B]!,
      '--key-id',
      loadNodeSecrets(secretsFiles[A]!, A).statementKeyId,
      '--reason',
      'compromised',
    ]);
    expect(foreign.status).toBe(2);
    expect(readFileSync(secretsFiles[B]!, 'utf8')).toContain(current);

    // A key that may have leaked: rotated, and the old one revoked with the new one, in one go.
    const leaked = await ketenlog(['keys', 'rotate', '--config', configs[B]!, '--revoke-old', 'compromised']);
    expect(leaked.status, leaked.stderr).toBe(0);
    const next = loadNodeSecrets(secretsFiles[B]!, B).statementKeyId;
    const listed = await ketenlog(['keys', 'list', '--config', configs[B]!]);
    expect(listed.stdout).toMatch(new RegExp(`revoked +${current} .*\\(compromised\\)`));
    expect(listed.stdout).toMatch(new RegExp(`active +${next} .*this node signs with it`));
  }, 120_000);
});
