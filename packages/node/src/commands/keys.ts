// `ketenlog keys`: an operator rotates, revokes and lists her organisation's signing keys on the
// logbook. A rotation is a `key` statement signed with the old key (the region's witness rules,
// packages/region/src/policy.ts, accept it only from the key's own organisation, keeping holder and
// role); from then on every member refuses what the old key signs. The list is read from the
// node's own log over its public tlog-tiles, checked against the log key the region file names.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  bytesEqual,
  ed25519PublicKey,
  keyIdOf,
  leafHash,
  openCheckpoint,
  parseEntry,
  rootFromLeafHashes,
  signStatement,
  STATEMENT_VERSION,
  TileClient,
  toBase64,
  verifierFromKey,
  type Statement,
  type StatementOf,
} from '@ketenlog/logbook';
import {
  applyKeyStatement,
  configuredKeys,
  keyStatus,
  NODE_ROLE,
  organisationRef,
  type KeyRegister,
} from '@ketenlog/region';
import { assertPrivateFile } from '@ketenlog/auth';
import { loadConfig } from '../config.ts';
import { LOGS_PATH, OWN_LOG_ID } from '../logbook/node-logbook.ts';
import {
  loadMembership,
  loadNodeSecrets,
  writeNodeSecrets,
  type Membership,
  type NodeSecrets,
} from '../region/membership.ts';
import { UsageError, type Command } from './command.ts';

const REASONS = ['compromised', 'superseded', 'retired'] as const;
type Reason = (typeof REASONS)[number];
/** How long a submission waits for the witness quorum before it reports "logged, not yet final". */
const WAIT_MS = 10_000;

const HELP = `Usage: ketenlog keys <rotate|revoke|list> --config <node.yaml> [options]

Your organisation's signing keys on the region's logbook. Run these on the node's host: they read
the node configuration and its secrets file (mode 600), and talk to the running node.

  ketenlog keys list --config node.yaml
      Each key of your organisation and its status on the logbook: active, rotated (replaced by a
      newer key) or revoked — read from your node's own log and checked against its log key.

  ketenlog keys rotate --config node.yaml [--kind statement] [--revoke-old <reason>]
      Makes a new statement-signing key, signs a rotation with the current key, submits it to your
      node's logbook, and writes the new key to the secrets file (mode 600; never printed). Restart
      the node afterwards: it signs with the new key from its next start, and every member refuses
      what the old key signs from the rotation on. --revoke-old also revokes the old key (signed
      with the new one), e.g. when it may have leaked.
      The log (checkpoint) key and the witness key are not rotated on the logbook: they are named
      in the region file, which the region changes (docs/deploy.md, "Rotating keys").

  ketenlog keys revoke --config node.yaml --key-id <key ID> --reason <reason>
      Revokes a key your organisation controls (an old node key, or a passkey it bound). From the
      revocation on no member accepts anything it signs; what it signed before stays on the log.
      To revoke the key the node signs with now, rotate first: keys rotate --revoke-old <reason>.

Options:
  --config <file>       the node configuration (it names the region file and the secrets file)
  --url <base URL>      where to reach the node (default: its base URL in the region file)
  --reason <reason>     ${REASONS.join(', ')}

Exit code 0 when done, 2 when the command was refused (the reason is printed).`;

function fail(text: string): never {
  throw new UsageError(`ketenlog keys: ${text}`);
}

interface Context {
  readonly membership: Membership;
  readonly secretsFile: string;
  readonly url: string;
}

function contextOf(values: { config?: string | undefined; url?: string | undefined }): Context {
  if (!values.config) fail('--config <node.yaml> is required');
  const config = loadConfig(values.config);
  if (!config.region) fail(`${values.config} names no region (region: { config, secrets }): no logbook keys`);
  const secretsFile = config.region.secrets;
  try {
    assertPrivateFile(secretsFile, 'region.secrets');
  } catch (error) {
    fail((error as Error).message);
  }
  const membership = loadMembership(config.region.config, secretsFile, config.organisation.ura);
  let url = values.url ?? membership.organisation.node.baseUrl;
  try {
    url = new URL(url).toString().replace(/\/$/, '');
  } catch {
    fail(`--url ${url} is not a URL`);
  }
  return { membership, secretsFile, url };
}

/** The organisation's keys as its own log states them (every key statement of the region about its keys is there). */
async function keysOnLog(ctx: Context): Promise<{ keys: KeyRegister; size: number }> {
  const { membership, url } = ctx;
  const client = new TileClient(`${url}${LOGS_PATH}/${OWN_LOG_ID}/`, fetch);
  let size: number;
  let entries: Uint8Array[];
  try {
    const { checkpoint } = openCheckpoint(
      await client.checkpoint(),
      membership.origin,
      verifierFromKey(membership.organisation.logKey),
    );
    size = checkpoint.size;
    entries = await client.entries(0, size);
    if (!bytesEqual(rootFromLeafHashes(entries.map((e) => leafHash(e))), checkpoint.root))
      fail(`the log at ${url} does not match its own checkpoint; do not trust it (run ketenlog verify)`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    fail(`cannot read the log of the node at ${url}: ${(error as Error).message}. Is the node running?`);
  }
  const keys = configuredKeys(membership.region);
  for (const [index, entry] of entries.entries()) {
    const parsed = parseEntry(entry);
    if (!parsed.ok || parsed.value.statement.kind !== 'key') continue;
    const statement = parsed.value.statement as StatementOf<'key'>;
    applyKeyStatement(keys, statement, { iat: statement.iat, origin: membership.origin, index });
  }
  return { keys, size };
}

interface Submitted {
  readonly index: number;
  readonly final: boolean;
}

/** Submits a signed statement to the node's logbook; a refusal names the rule it broke. */
async function submit(ctx: Context, statement: Statement, secretKey: Uint8Array): Promise<Submitted> {
  let response: Response;
  try {
    response = await fetch(`${ctx.url}/logbook/statements?wait=${WAIT_MS}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signStatement(statement, secretKey)),
    });
  } catch (error) {
    throw new Unreachable(`cannot reach the node at ${ctx.url} (${(error as Error).message})`);
  }
  const body = (await response.json().catch(() => ({}))) as {
    index?: number;
    final?: boolean;
    issue?: { diagnostics?: string }[];
  };
  if (response.status === 201 || response.status === 202)
    return { index: body.index ?? -1, final: body.final === true };
  fail(
    `the logbook refused it (HTTP ${response.status}): ${body.issue?.[0]?.diagnostics ?? 'no reason given'}`,
  );
}

/** The submission may or may not have reached the log. */
class Unreachable extends Error {}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function revocation(keys: KeyRegister, keyId: string, reason: Reason, author: string): Statement {
  const binding = keys.bindings.get(keyId);
  if (!binding) fail(`key ${keyId} is neither in the region file nor on this organisation's log`);
  return {
    kind: 'key',
    v: STATEMENT_VERSION,
    author,
    iat: nowSeconds(),
    ...(binding.subject === undefined ? {} : { subject: binding.subject }),
    body: { action: 'revoke', keyId, alg: binding.alg, holder: binding.holder, reason },
  };
}

function reasonOf(value: string | undefined, option: string): Reason {
  if (value === undefined || !(REASONS as readonly string[]).includes(value))
    fail(`${option} must be one of ${REASONS.join(', ')}`);
  return value as Reason;
}

function finality(result: Submitted): string {
  return result.final
    ? `final (entry ${result.index}, cosigned by the witness quorum)`
    : `logged as entry ${result.index}, not yet final (the witnesses cosign it shortly)`;
}

async function rotate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      url: { type: 'string' },
      kind: { type: 'string' },
      'revoke-old': { type: 'string' },
    },
  });
  const kind = values.kind ?? 'statement';
  if (kind === 'log' || kind === 'witness')
    fail(
      `the ${kind} key is named in the region file, not bound on the logbook: every member checks ` +
        `it from there. Rotate it by a region-file change (docs/deploy.md, "Rotating keys").`,
    );
  if (kind !== 'statement') fail('--kind must be statement (log and witness keys: see --help)');
  const revokeOld =
    values['revoke-old'] === undefined ? undefined : reasonOf(values['revoke-old'], '--revoke-old');
  const ctx = contextOf(values);
  const { membership, secretsFile } = ctx;
  const secrets = loadNodeSecrets(secretsFile, membership.organisation.ura);
  if ((JSON.parse(readFileSync(secretsFile, 'utf8')) as { organisations?: unknown }).organisations)
    fail(
      `${secretsFile} holds a whole region's keys (the demo's); rotation needs one organisation's secrets file`,
    );
  const pending = `${secretsFile}.pending`;
  if (existsSync(pending))
    fail(
      `${pending} exists: an earlier rotation did not finish. Run ketenlog keys list: if its key is active, ` +
        `move ${pending} over ${secretsFile}; if not, remove ${pending}.`,
    );
  const old = membership.statementKey;
  const { keys } = await keysOnLog(ctx);
  if (keyStatus(keys, old.keyId) !== 'active')
    fail(
      `the node's statement key ${old.keyId} is ${keyStatus(keys, old.keyId)} on the logbook; it cannot sign a rotation`,
    );

  const seed = new Uint8Array(randomBytes(32));
  const publicKey = ed25519PublicKey(seed);
  const keyId = keyIdOf('Ed25519', publicKey);
  const own = organisationRef(membership.organisation.ura);
  const next: NodeSecrets = {
    ...secrets,
    statementKeyId: keyId,
    statementSecret: toBase64(seed),
    derivationSecret: secrets.derivationSecret ?? secrets.statementSecret,
    retiredStatementKeys: [...(secrets.retiredStatementKeys ?? []), old.keyId],
  };
  // The new key is on disk before the log names it: a rotation that reached the log with its key
  // lost would leave the organisation without a usable key.
  writeFileSync(pending, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  let result: Submitted;
  try {
    result = await submit(
      ctx,
      {
        kind: 'key',
        v: STATEMENT_VERSION,
        author: old.keyId,
        iat: nowSeconds(),
        body: {
          action: 'rotate',
          keyId,
          alg: 'Ed25519',
          publicKey: toBase64(publicKey),
          holder: own,
          organisation: own,
          role: NODE_ROLE,
          replaces: old.keyId,
        },
      },
      old.secretKey,
    );
  } catch (error) {
    if (error instanceof Unreachable)
      fail(
        `${error.message}. The rotation may or may not be on the log: run ketenlog keys list; if key ` +
          `${keyId} is active, move ${pending} over ${secretsFile}; if not, remove ${pending}.`,
      );
    rmSync(pending);
    throw error;
  }
  writeNodeSecrets(secretsFile, next);
  rmSync(pending);
  console.log(`Rotated the statement key ${old.keyId} → ${keyId}: ${finality(result)}.`);
  console.log(`The new key is in ${secretsFile} (mode 600).`);
  if (revokeOld) {
    const revoked = await submit(ctx, revocation(keys, old.keyId, revokeOld, keyId), seed);
    console.log(`Revoked the old key ${old.keyId} (${revokeOld}): ${finality(revoked)}.`);
  }
  console.log(
    'Restart the node now: it signs with the new key from its next start. Until then the logbook ' +
      'refuses what it signs with the old key.',
  );
  return 0;
}

async function revoke(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      url: { type: 'string' },
      'key-id': { type: 'string' },
      reason: { type: 'string' },
    },
  });
  const keyId = values['key-id'];
  if (!keyId) fail('--key-id <key ID> is required (ketenlog keys list shows them)');
  const reason = reasonOf(values.reason, '--reason');
  const ctx = contextOf(values);
  const current = ctx.membership.statementKey;
  if (keyId === current.keyId)
    fail(
      `${keyId} is the key the node signs with now; rotate first and revoke it with the new key: ` +
        `ketenlog keys rotate --config <node.yaml> --revoke-old ${reason}`,
    );
  const { keys } = await keysOnLog(ctx);
  const result = await submit(ctx, revocation(keys, keyId, reason, current.keyId), current.secretKey);
  console.log(`Revoked key ${keyId} (${reason}): ${finality(result)}.`);
  console.log('What it signed before stays on the log; nothing it signs from now on is accepted.');
  return 0;
}

async function list(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, url: { type: 'string' } } });
  const ctx = contextOf(values);
  const { keys, size } = await keysOnLog(ctx);
  const own = organisationRef(ctx.membership.organisation.ura);
  const mine = [...keys.bindings.values()].filter(
    (b) =>
      b.holder === own ||
      b.organisation === own ||
      (b.boundBy !== undefined && keys.bindings.get(b.boundBy)?.holder === own),
  );
  console.log(`Keys of ${own} (${ctx.membership.organisation.name}) on ${ctx.url}, log size ${size}:`);
  for (const b of mine) {
    const status = keyStatus(keys, b.keyId);
    const detail =
      status === 'rotated'
        ? ` (replaced by ${keys.rotations.get(b.keyId)?.replacedBy})`
        : status === 'revoked'
          ? ` (${keys.revocations.get(b.keyId)?.reason ?? 'no reason given'})`
          : '';
    const signing = b.keyId === ctx.membership.statementKey.keyId ? ', this node signs with it' : '';
    const since = b.at.index < 0 ? 'region file' : `log entry ${b.at.index}`;
    console.log(
      `  ${status.padEnd(8)} ${b.keyId}  ${b.role ?? '-'} ${b.holder}  from ${since}${detail}${signing}`,
    );
  }
  return 0;
}

const SUBCOMMANDS: Record<string, (args: string[]) => Promise<number>> = { rotate, revoke, list };

export const keysCommand = {
  name: 'keys',
  summary: "rotate, revoke and list the organisation's signing keys on the logbook",
  help: HELP,
  async run(args: string[]): Promise<number> {
    const [sub, ...rest] = args;
    const run = sub === undefined ? undefined : SUBCOMMANDS[sub];
    if (!run) fail(`say what to do: ketenlog keys rotate | revoke | list (ketenlog keys --help)`);
    return run(rest);
  },
} satisfies Command & { run(args: string[]): Promise<number> };
