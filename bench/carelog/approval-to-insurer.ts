/**
 * bench/carelog/approval-to-insurer: the time from the client's approval of a logged care hour
 * until the insurer can see that hour as approved, with a final receipt it verifies offline
 * (issue 6: p95 ≤ 2 s in the demo region). The whole demo region runs in this process (ten nodes
 * on SQLite, real HTTP on loopback, witness quorum 4). Per sample: the carer's entry is logged at
 * the kraamzorg node (Mijn Zorg Log's CarelogService on the node's logbook); then, timed, the
 * client's approval is submitted there; the insurer's node lists it in its Mijn Zorg Log insurer
 * view (over its own mirror of the kraamzorg log, under the client's consent for billing), fetches
 * the approval's receipt from the kraamzorg node (GET /logbook/receipts/:index?wait=…) and
 * verifies it against the region's receipt policy.
 * The client signs with an Ed25519 client key here (a passkey signature adds only its check).
 *
 *   node bench/carelog/approval-to-insurer.ts [--samples 20] [--runs 3]   (samples ≤ 30, runs ≤ 7)
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  ed25519PublicKey,
  generateSecretKey,
  keyIdOf,
  signStatement,
  toBase64,
  verifyReceipt,
  entryBytes,
  STATEMENT_VERSION,
  type Statement,
  KIND_CONSENT,
  KIND_INDEX,
  KIND_KEY,
} from '@ketenlog/logbook';
import { carelogView, receiptPolicyFor } from '@ketenlog/region';
import { BILLING_CONSENT, CarelogService, MemoryCareFiles } from '../../packages/carelog/src/index.ts';
import { startRegion } from '../../packages/node/src/region/run-region.ts';
import { demoRegionOnFreePorts } from '../../packages/node/src/region/testing.ts';
import type { RunningNode } from '../../packages/node/src/server.ts';

const { values } = parseArgs({
  options: { samples: { type: 'string', default: '20' }, runs: { type: 'string', default: '3' } },
});
const SAMPLES = Math.min(30, Number(values.samples));
// A run's visits take three hours of the carer's day: at most 7 runs of at most 30 samples.
const RUNS = Math.min(7, Number(values.runs));
const TARGET_P95_MS = 2000;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const percentile = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function must<T extends { ok: boolean }>(result: T, what: string): T {
  if (!result.ok) throw new Error(`${what}: ${JSON.stringify(result)}`);
  return result;
}

const KRAAMZORG = '11110001';
const INSURER = '11110004';

const files = await demoRegionOnFreePorts();
const region = await startRegion({ ...files, logLevel: 'error' });
const kz = region.node(KRAAMZORG);
const zv = region.node(INSURER);
const kzLogbook = kz.logbook!;
const zvLogbook = zv.logbook!;
const kzBase = kz.fhirBase.replace(/\/fhir$/, '');
const policy = receiptPolicyFor(kzLogbook.state.config, kzLogbook.origin)!;

function nodeSigned(node: RunningNode, kind: Statement['kind'], body: Statement['body'], subject?: string) {
  const { keyId, secretKey } = node.membership!.statementKey;
  const statement: Statement = {
    kind,
    v: STATEMENT_VERSION,
    author: keyId,
    iat: Math.floor(Date.now() / 1000),
    ...(subject ? { subject } : {}),
    body,
  };
  return signStatement(statement, secretKey);
}

function newKey() {
  const secret = generateSecretKey();
  const publicKey = ed25519PublicKey(secret);
  return { secret, publicKey: toBase64(publicKey), keyId: keyIdOf('Ed25519', publicKey) };
}

const carer = newKey();
must(
  await kzLogbook.append(
    nodeSigned(kz, KIND_KEY, {
      action: 'bind',
      keyId: carer.keyId,
      alg: 'Ed25519',
      publicKey: carer.publicKey,
      holder: 'pro:anna-jansen',
      role: 'kraamverzorgende',
      organisation: `ura:${KRAAMZORG}`,
    }),
  ),
  'bind carer',
);

/** A node's logbook as Mijn Zorg Log sees it: its append, and the carelog view of its state. */
const carelogLogbook = (logbook: typeof kzLogbook) => ({
  get state() {
    return carelogView(logbook.state);
  },
  append: (envelope: Parameters<typeof logbook.append>[0]) => logbook.append(envelope),
});

const service = new CarelogService({
  logbook: carelogLogbook(kzLogbook),
  files: new MemoryCareFiles(),
  organisation: {
    keyId: kz.membership!.statementKey.keyId,
    sign: (s) => signStatement(s, kz.membership!.statementKey.secretKey),
  },
});

/** The insurer node's view: the same service over its own logbook (it holds no care files). */
const insurerView = new CarelogService({
  logbook: carelogLogbook(zvLogbook),
  files: new MemoryCareFiles(),
  organisation: {
    keyId: zv.membership!.statementKey.keyId,
    sign: (s) => signStatement(s, zv.membership!.statementKey.secretKey),
  },
});

async function receiptAt(index: number): Promise<string | undefined> {
  const response = await fetch(`${kzBase}/logbook/receipts/${index}?wait=10000`);
  return response.status === 200 ? response.text() : undefined;
}

/** One run: a fresh client with an 80-hour indication, `SAMPLES` entries each approved and timed. */
async function run(round: number): Promise<{ visible: number[]; receipted: number[] }> {
  const subject = `p${randomBytes(18).toString('base64url')}`;
  const client = newKey();
  must(
    await kzLogbook.append(
      nodeSigned(
        kz,
        KIND_KEY,
        {
          action: 'bind',
          keyId: client.keyId,
          alg: 'Ed25519',
          publicKey: client.publicKey,
          holder: subject,
          role: 'client',
          organisation: `ura:${KRAAMZORG}`,
        },
        subject,
      ),
    ),
    'bind client',
  );
  must(
    await zvLogbook.append(
      nodeSigned(zv, KIND_INDEX, { holder: `ura:${INSURER}`, category: 'verzekering' }, subject),
    ),
    'index at insurer',
  );
  const consent: Statement = {
    kind: KIND_CONSENT,
    v: STATEMENT_VERSION,
    author: client.keyId,
    iat: Math.floor(Date.now() / 1000),
    subject,
    body: { decision: 'grant', grantee: `ura:${INSURER}`, ...BILLING_CONSENT },
  };
  must(await kzLogbook.append(signStatement(consent, client.secret)), 'consent for billing');
  const indication = `ind-${randomBytes(6).toString('hex')}`;
  const birth = new Date(Date.now() - 15 * 86_400_000).toISOString().slice(0, 10);
  must(
    await service.recordIndication({
      indication,
      subject,
      provider: `ura:${KRAAMZORG}`,
      birthDate: birth,
      carePackage: 'maatwerk',
      hours: 80,
      days: 10,
      carers: ['pro:anna-jansen'],
    }),
    'indication',
  );
  const visible: number[] = [];
  const receipted: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const day = new Date(Date.parse(birth) + (i % 10) * 86_400_000).toISOString().slice(0, 10);
    // One carer across runs: each run's visits in hours of their own, so hers never overlap.
    const hour = String(round * 3 + Math.floor(i / 10)).padStart(2, '0');
    const draft = service.draftEntry(indication, carer.keyId, {
      date: day,
      start: `${hour}:00`,
      end: `${hour}:30`,
      activities: ['zorg-moeder'],
    });
    if (!draft.ok) throw new Error(draft.problem.text);
    const entry = must(
      await service.submitEntry(signStatement(draft.value.statement, carer.secret)),
      'entry',
    );
    if (!entry.ok) throw new Error('unreachable');
    await receiptAt(entry.value.index);
    const approval = service.draftApproval(entry.value.hash, client.keyId, 'approved');
    if (!approval.ok) throw new Error(approval.problem.text);
    const envelope = signStatement(approval.value.statement, client.secret);

    const started = performance.now();
    const logged = must(await service.submitApproval(envelope), 'approval');
    if (!logged.ok) throw new Error('unreachable');
    // The insurer's node: its Mijn Zorg Log view (over its mirror of the kraamzorg log) lists the hour …
    const seen = async () =>
      (await insurerView.insurerEntries(`ura:${INSURER}`)).some((e) => e.entry.hash === entry.value.hash);
    while (!(await seen())) await sleep(5);
    visible.push(performance.now() - started);
    // … and the approval's receipt is final and verifies offline.
    const receipt = await receiptAt(logged.value.index);
    if (!receipt || !verifyReceipt(receipt, entryBytes(envelope), policy).ok)
      throw new Error('no valid receipt');
    receipted.push(performance.now() - started);
  }
  return { visible, receipted };
}

try {
  const rows: { run: number; n: number; visibleP50: number; p50: number; p95: number; max: number }[] = [];
  for (let r = 1; r <= RUNS; r++) {
    const { visible, receipted } = await run(r);
    rows.push({
      run: r,
      n: receipted.length,
      visibleP50: median(visible),
      p50: median(receipted),
      p95: percentile(receipted, 95),
      max: Math.max(...receipted),
    });
  }
  const fmt = (ms: number) => ms.toFixed(0).padStart(8);
  console.log(
    `Approval → insurer sees the approved hour with a final, verified receipt (demo region, ${region.nodes.length} nodes)`,
  );
  console.log('run  samples  seen p50 ms  receipt p50 ms  receipt p95 ms  max ms');
  for (const row of rows)
    console.log(
      `${String(row.run).padStart(3)}  ${String(row.n).padStart(7)}  ${fmt(row.visibleP50)}     ${fmt(row.p50)}        ${fmt(row.p95)}  ${fmt(row.max)}`,
    );
  const p95 = median(rows.map((r) => r.p95));
  console.log(
    `median of runs: seen p50 ${median(rows.map((r) => r.visibleP50)).toFixed(0)} ms, receipt p50 ${median(rows.map((r) => r.p50)).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (target p95 ≤ ${TARGET_P95_MS} ms: ${p95 <= TARGET_P95_MS ? 'met' : 'NOT met'})`,
  );
} finally {
  await region.close();
}
