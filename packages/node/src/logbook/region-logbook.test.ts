// The logbook across a five-node region (the demo region's first five members) on loopback: every node logs statements, mirrors and
// witnesses the others', and hands out receipts once the region's quorum cosigned; plus the bad
// paths (malformed, badly signed, against the rules), a witness quorum lost and regained.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReceipt, verifyReceipt } from '@ketenlog/logbook';
import { signedIndexStatement } from './testing.ts';
import { holdersOf, logOriginOf, receiptPolicyFor, type RegionConfig } from '@ketenlog/region';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../server.ts';
import { startRegion, type RunningRegion } from '../region/run-region.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';

const CLI = join(import.meta.dirname, '../cli.ts');

let region: RunningRegion;
let config: RegionConfig;
let regionFile: string;
/** Add-checkpoint URLs the network drops, as a partition would. */
const partitioned = new Set<string>();

beforeAll(async () => {
  const files = await demoRegionOnFreePorts({ members: 5, quorum: 3 });
  regionFile = files.regionFile;
  region = await startRegion({
    ...files,
    logLevel: 'fatal',
    parts: {
      fetch: (url, init) =>
        [...partitioned].some((p) => url.startsWith(p))
          ? Promise.reject(new TypeError('fetch failed'))
          : fetch(url, init),
      logbook: { mirrorIntervalMs: 200, finalityRetryMs: 100 },
    },
  });
  config = nodeAt(0).membership!.region;
}, 60_000);
afterAll(async () => region?.close());

/** The region's node at `i` (five in this region). */
function nodeAt(i: number): RunningNode {
  const node = region.nodes[i];
  if (!node) throw new Error(`the test region has no node ${i}`);
  return node;
}

const baseOf = (node: RunningNode): string => node.fhirBase.replace(/\/fhir$/, '');

const indexStatement = (
  node: RunningNode,
  pseudonym: string,
  holderUra = node.membership!.organisation.ura,
) => signedIndexStatement(node.membership!.statementKey, holderUra, pseudonym);

const submit = (node: RunningNode, body: unknown, wait = 10_000) =>
  fetch(`${baseOf(node)}/logbook/statements?wait=${wait}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const receiptPolicy = (node: RunningNode) => receiptPolicyFor(config, node.logbook!.origin)!;

describe('the logbook in a five-node region', () => {
  it('every node logs, the others mirror and witness, and a quorum makes each statement final with a receipt', async () => {
    const responses = await Promise.all(
      region.nodes.map((node) => submit(node, indexStatement(node, 'pseudonym-demo-a1'))),
    );
    for (const [i, response] of responses.entries()) {
      expect(response.status).toBe(201);
      const body = (await response.json()) as { index: number; final: boolean; receipt: string };
      expect(body.final).toBe(true);
      const entry = parseReceipt(body.receipt).extra!;
      const verified = verifyReceipt(body.receipt, entry, receiptPolicy(nodeAt(i)));
      expect(verified.ok, verified.ok ? '' : verified.reason).toBe(true);
      if (verified.ok)
        expect(verified.receipt.cosignatures.length).toBeGreaterThanOrEqual(config.witnesses.quorum);
    }
    // Every node's state, folded from its own log and its mirrors, knows every holder.
    await expect
      .poll(() => region.nodes.map((n) => holdersOf(n.logbook!.state.index, 'pseudonym-demo-a1').length), {
        timeout: 10_000,
      })
      .toEqual(region.nodes.map(() => region.nodes.length));
    // The state rebuilt from storage equals the live one (folded as entries arrived, in any order).
    // Under load the live state was once a moment ahead of a mirror's stored entries: wait for them.
    for (const node of region.nodes)
      await expect
        .poll(async () => node.logbook!.foldFromStorage(), { timeout: 5_000 })
        .toEqual(node.logbook!.state);
  });

  it('serves the receipt later, and the tiles and status of the log', async () => {
    const node = nodeAt(1);
    const response = await submit(node, indexStatement(node, 'pseudonym-demo-b2'));
    const { index } = (await response.json()) as { index: number };
    const receipt = await fetch(`${baseOf(node)}/logbook/receipts/${index}`);
    expect(receipt.status).toBe(200);
    expect(await receipt.text()).toMatch(/^c2sp\.org\/tlog-proof@v1\n/);
    expect((await fetch(`${baseOf(node)}/logbook/receipts/99999`)).status).toBe(404);
    const checkpoint = await fetch(`${baseOf(node)}/logs/statements/checkpoint`);
    expect(await checkpoint.text()).toContain(logOriginOf(config, node.membership!.organisation));
    const status = (await (await fetch(`${baseOf(node)}/logbook/status`)).json()) as {
      finalSize: number;
      mirrors: { size: number }[];
    };
    expect(status.finalSize).toBeGreaterThan(index);
    expect(status.mirrors).toHaveLength(region.nodes.length - 1);
    const metrics = await (await fetch(`${baseOf(node)}/metrics`)).text();
    expect(metrics).toMatch(/ketenlog_logbook_final_entries\{origin="[^"]+"\} \d+/);
  });

  it('refuses malformed, badly signed and rule-breaking statements with an OperationOutcome, storing nothing', async () => {
    const node = nodeAt(2);
    const before = node.logbook!.sequencer.size;
    const malformed = await submit(node, '{"statement":');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');

    const good = indexStatement(node, 'pseudonym-demo-c3');
    const tampered = { ...good, statement: { ...good.statement, subject: 'pseudonym-demo-c4' } };
    const badSignature = await submit(node, tampered);
    expect(badSignature.status).toBe(422);

    // An organisation may index only its own records.
    const foreign = await submit(
      node,
      indexStatement(node, 'pseudonym-demo-c3', nodeAt(0).membership!.organisation.ura),
    );
    expect(foreign.status).toBe(422);
    const outcome = (await foreign.json()) as { issue: { code: string; diagnostics: string }[] };
    expect(outcome.issue[0]?.code).toBe('business-rule');
    expect(outcome.issue[0]?.diagnostics).toContain('indexes only its own records');

    // Signed by another organisation's key, on this node's log.
    const other = await submit(node, indexStatement(nodeAt(0), 'pseudonym-demo-c3'));
    expect(other.status).toBe(422);
    expect(node.logbook!.sequencer.size).toBe(before);
  });

  it('with a witness lost but the quorum still reachable, statements stay final', async () => {
    const node = nodeAt(3);
    const others = region.nodes.filter((n) => n !== node);
    const spare = others.length - config.witnesses.quorum;
    for (const w of others.slice(0, spare)) partitioned.add(`${baseOf(w)}/witness/`);
    try {
      const response = await submit(node, indexStatement(node, 'pseudonym-demo-d3'));
      expect(response.status).toBe(201);
    } finally {
      partitioned.clear();
    }
  });

  it('below the witness quorum statements are logged but not final; finality resumes when witnesses return', async () => {
    const node = nodeAt(3);
    const others = region.nodes.filter((n) => n !== node);
    // One witness fewer than the quorum left reachable.
    const unreachable = others.length - config.witnesses.quorum + 1;
    for (const w of others.slice(0, unreachable)) partitioned.add(`${baseOf(w)}/witness/`);
    try {
      const pending = await submit(node, indexStatement(node, 'pseudonym-demo-d4'), 500);
      expect(pending.status).toBe(202);
      const { index, final } = (await pending.json()) as { index: number; final: boolean };
      expect(final).toBe(false);
      expect((await fetch(`${baseOf(node)}/logbook/receipts/${index}`)).status).toBe(202);
      partitioned.clear();
      const receipt = await fetch(`${baseOf(node)}/logbook/receipts/${index}?wait=10000`);
      expect(receipt.status).toBe(200);
    } finally {
      partitioned.clear();
    }
  });

  it('ketenlog verify-receipt checks a receipt offline against the region file', async () => {
    const node = nodeAt(4);
    const response = await submit(node, indexStatement(node, 'pseudonym-demo-e5'));
    const { receipt } = (await response.json()) as { receipt: string };
    const dir = mkdtempSync(join(tmpdir(), 'ketenlog-receipt-'));
    const file = join(dir, 'receipt.txt');
    writeFileSync(file, receipt);
    const cli = (path: string) =>
      spawnSync(process.execPath, [CLI, 'verify-receipt', path, '--region', regionFile], {
        encoding: 'utf8',
      });
    const ok = cli(file);
    expect(ok.stdout).toContain('receipt holds: index statement');
    expect(ok.status).toBe(0);

    // One changed character in the proof: refused.
    const lines = receipt.split('\n');
    const proofLine = lines.findIndex((l) => l.startsWith('index ')) + 1;
    const proof = lines[proofLine];
    assert(proof, 'a proof line after the index line');
    lines[proofLine] = (proof[0] === 'A' ? 'B' : 'A') + proof.slice(1);
    const tampered = join(dir, 'tampered.txt');
    writeFileSync(tampered, lines.join('\n'));
    const bad = cli(tampered);
    expect(bad.stdout).toContain('receipt does NOT hold');
    expect(bad.status).toBe(1);
  });
});
