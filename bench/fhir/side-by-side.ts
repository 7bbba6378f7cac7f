/**
 * bench/fhir/side-by-side: Ketenlog's FHIR API beside Medplum 5 on one machine in one run, with the
 * anchors' harness (`../shared/anchors/fhir-side-by-side.sh`: the same data loaded into each server
 * through its API, then read / search by name / search by patient and code / create with autocannon,
 * rounds interleaved), and the ratios against the targets of issue 20.
 *
 *   MEDPLUM_GIT=<git dir of a fetch of conradsp/medplum> node bench/fhir/side-by-side.ts [--go]
 *
 * Every Ketenlog request carries a verified credential, as every Medplum request does: the stand-alone
 * nodes a bearer token of an organisation system (SMART Backend Services, `system-token.ts`), the
 * region member a professional's session. The harness as written calls the stand-alone nodes without
 * one (they answered loopback then; since the access layer every FHIR call needs a credential), so
 * this runs a copy of it with checked edits: the nodes' configuration registers the benchmark's system,
 * the load and each timed run get a fresh token of it, and the member node runs in demo mode (its
 * professional logs in with the demo's derived password and TOTP). Nothing else is changed.
 *
 *   --go           measure at once (a go file of this run's own) instead of waiting for a quiet machine;
 *                  the figures then carry the machine's load, which the harness reports
 *   ANCHORS        the anchors' folder (default ../shared/anchors beside the repository)
 *   SERVERS        default `medplum kl-sqlite kl-pg kl-member-session`
 *   every other variable of the harness (PATIENTS, ROUNDS, DURATION, SBS_WORK, ...) is passed through.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_SYSTEM_CLIENT_ID, BENCH_SYSTEM_SCOPE, benchSystemKeys } from './system-token.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const { values: opts } = parseArgs({ options: { go: { type: 'boolean', default: false } } });
const anchors = resolve(process.env['ANCHORS'] ?? join(ROOT, '../shared/anchors'));
const work = resolve(process.env['SBS_WORK'] ?? '/tmp/fhir-sbs');
const script = join(anchors, 'fhir-side-by-side.sh');
if (!existsSync(script)) throw new Error(`no ${script}: set ANCHORS to the anchors' folder`);
if (!process.env['MEDPLUM_GIT'])
  throw new Error('set MEDPLUM_GIT to the git directory of a fetch of conradsp/medplum');

/** Targets of issue 20: req/s as a multiple of Medplum's, and p99 latency. */
const TARGET: Record<string, number> = { 'kl-sqlite': 10, 'kl-member-session': 10, 'kl-pg': 5 };
const P99_MS = 25;
const SCENARIOS = ['read', 'search_name', 'search_obs', 'create'] as const;

/** One edit of the harness: `find` must occur exactly once. */
function edit(text: string, find: string, replace: string, what: string): string {
  const at = text.indexOf(find);
  if (at < 0 || text.indexOf(find, at + 1) >= 0)
    throw new Error(`the anchors' harness changed: cannot ${what} (looked for ${JSON.stringify(find)})`);
  return text.slice(0, at) + replace + text.slice(at + find.length);
}

const systemDir = join(work, 'kl-system');
const jwks = await benchSystemKeys(systemDir);
let text = readFileSync(script, 'utf8');
text = edit(
  text,
  'HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)',
  `HERE=${JSON.stringify(anchors)}`,
  "find fhir-load.mjs in the anchors' folder",
);
text = edit(
  text,
  'log: { level: $KL_LOG_LEVEL }\n',
  `log: { level: $KL_LOG_LEVEL }\nsystems: [{ clientId: ${BENCH_SYSTEM_CLIENT_ID}, name: Benchmark system, jwks: ${JSON.stringify(jwks)}, scope: '${BENCH_SYSTEM_SCOPE}' }]\n`,
  "register the benchmark's system at every Ketenlog node",
);
text = edit(
  text,
  'base_of() {',
  `# Added by bench/fhir/side-by-side.ts: a fresh access token of the benchmark's system at a Ketenlog node.
kl_token() {
  local port
  case $1 in kl-sqlite) port=$KS_PORT ;; kl-pg) port=$KP_PORT ;; *) port=$KM_PORT ;; esac
  (cd "$KL" && "$NODE" bench/fhir/system-token.ts token ${JSON.stringify(systemDir)} "http://127.0.0.1:$port") || die "no system token from $1"
}
base_of() {`,
  'add a token helper',
);
// A region member's professionals log in with passkeys or with accounts from the identity
// configuration; the harness logs in with the demo's derived password and TOTP, which a node accepts
// only in demo mode (identity-mode.ts). The FHIR path is the same in both modes.
text = edit(
  text,
  '"region: { config: $M/region.yaml, secrets: $M/bench-member.secrets.json }"',
  '"region: { config: $M/region.yaml, secrets: $M/bench-member.secrets.json }\ndemo: true"',
  "let the member node's benchmark professional log in",
);
text = edit(
  text,
  'FHIR_TOKEN=$([ $s = medplum ] && echo "$MP_TOKEN" || true)',
  'FHIR_TOKEN=$([ $s = medplum ] && echo "$MP_TOKEN" || kl_token $s)',
  'load the Ketenlog nodes with a token',
);
text = edit(
  text,
  '[ $s = medplum ] && { mp_token; FHIR_TOKEN=$MP_TOKEN; }\n',
  '[ $s = medplum ] && { mp_token; FHIR_TOKEN=$MP_TOKEN; }\n    case $s in kl-sqlite | kl-pg) FHIR_TOKEN=$(kl_token $s) ;; esac\n',
  'measure the stand-alone nodes with a token',
);
mkdirSync(work, { recursive: true });
const patched = join(work, 'fhir-side-by-side.ketenlog.sh');
writeFileSync(patched, text, { mode: 0o755 });

const env: NodeJS.ProcessEnv = {
  ...process.env,
  KETENLOG_DIR: ROOT,
  SBS_WORK: work,
  SERVERS: process.env['SERVERS'] ?? 'medplum kl-sqlite kl-pg kl-member-session',
};
if (opts.go) {
  const go = join(work, 'go-now');
  writeFileSync(go, '');
  env['PERF_GO'] = go;
}
const output: string[] = [];
const code = await new Promise<number>((done) => {
  const child = spawn('bash', [patched], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    output.push(chunk.toString());
  });
  child.on('exit', (status) => done(status ?? 1));
});
if (code !== 0) process.exit(code);

// The harness prints one JSON line per server and a summary line; the verdict against the targets.
type Row = Record<(typeof SCENARIOS)[number], { rps: number; p99: number }> & { server: string };
const lines = output
  .join('')
  .split('\n')
  .filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l) as Row & { summary?: boolean });
const rows = new Map(lines.filter((l) => !l.summary && l.server).map((l) => [l.server, l]));
const medplum = rows.get('medplum');
if (!medplum) process.exit(0);
console.log(`\nAgainst issue 20's targets (req/s ÷ Medplum's; p99 ≤ ${P99_MS} ms):`);
for (const [server, target] of Object.entries(TARGET)) {
  const row = rows.get(server);
  if (!row) continue;
  const cells = SCENARIOS.map((s) => {
    const ratio = row[s].rps / medplum[s].rps;
    const ok = ratio >= target && row[s].p99 <= P99_MS;
    return `${s} ${ratio.toFixed(1)}x p99 ${row[s].p99} ms ${ok ? 'met' : 'not met'}`;
  });
  console.log(`${server.padEnd(18)} (target ${target}x): ${cells.join('; ')}`);
}
