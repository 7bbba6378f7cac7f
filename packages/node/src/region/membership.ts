// A node's membership of a region: the region configuration every member loads, this node's
// organisation in it, and the node's secret keys (log checkpoints, witness cosignatures,
// statements), checked against the public keys the region publishes for it — or, for a statement
// key rotated on the logbook (`ketenlog keys rotate`), against the rotation chain the logbook holds.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  bytesEqual,
  ed25519Cosigner,
  ed25519PublicKey,
  encodeCosignerKey,
  fromBase64,
  keyIdOf,
  signerFromKey,
  verifierFromKey,
  type NoteSigner,
} from '@ketenlog/logbook';

import {
  findOrganisation,
  keyStatus,
  loadRegionConfig,
  NODE_ROLE,
  organisationRef,
  logOriginOf,
  RegionConfigError,
  type KeyRegister,
  type Organisation,
  type RegionConfig,
} from '@ketenlog/region';
import { ConfigError } from '../config.ts';

/** One organisation's secret keys, as the secrets file holds them. */
export interface NodeSecrets {
  /** C2SP note signer key `PRIVATE+KEY+<origin>+<id>+<key>` for checkpoints. */
  readonly logSigner: string;
  /** base64 Ed25519 seed of the witness cosigner, and its key name. */
  readonly cosignerSecret: string;
  readonly cosignerName: string;
  /** The statement-signing key: its key ID and base64 Ed25519 seed. */
  readonly statementKeyId: string;
  readonly statementSecret: string;
  /**
   * After a rotation: the seed of the statement key the region file names (base64). The node's
   * derived secrets (the pseudonym service key, the authorization server's cookie keys) come from
   * it, so a rotation does not change every region pseudonym. Never signs anything.
   */
  readonly derivationSecret?: string;
  /** Key IDs of the statement keys this node rotated out, oldest first (no secrets). */
  readonly retiredStatementKeys?: readonly string[];
}

export interface Membership {
  readonly region: RegionConfig;
  readonly organisation: Organisation;
  /** This node's log origin (checkpoint origin line). */
  readonly origin: string;
  readonly logSigner: NoteSigner;
  readonly cosigner: NoteSigner;
  readonly statementKey: { readonly keyId: string; readonly secretKey: Uint8Array };
  /** Whether the region file names the statement key (else the logbook's rotation chain must). */
  readonly statementKeyConfigured: boolean;
  /** Where the node's derived secrets come from: the region file's statement key, kept across rotations. */
  readonly derivationSecret: Uint8Array;
}

/**
 * Reads a secrets file: one organisation's keys, or a region's demo secrets
 * (`{ organisations: { <URA>: keys } }`) from which the organisation's entry is taken.
 */
export function loadNodeSecrets(file: string, ura: string): NodeSecrets {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${file}: cannot read the secrets file (${(error as Error).message})`);
  }
  const all = (parsed as { organisations?: Record<string, unknown> }).organisations;
  const entry = (all ? all[ura] : parsed) as Partial<NodeSecrets> | undefined;
  if (!entry) throw new ConfigError(`${file}: no secret keys for organisation ${ura}`);
  for (const field of [
    'logSigner',
    'cosignerSecret',
    'cosignerName',
    'statementKeyId',
    'statementSecret',
  ] as const) {
    if (typeof entry[field] !== 'string' || !entry[field]) {
      throw new ConfigError(
        `${file}: ${all ? `organisations.${ura}.` : ''}${field}: must be a non-empty string`,
      );
    }
  }
  if (
    entry.derivationSecret !== undefined &&
    (typeof entry.derivationSecret !== 'string' || !entry.derivationSecret)
  )
    throw new ConfigError(`${file}: derivationSecret: must be a non-empty string`);
  const retired = entry.retiredStatementKeys;
  if (retired !== undefined && !(Array.isArray(retired) && retired.every((k) => typeof k === 'string')))
    throw new ConfigError(`${file}: retiredStatementKeys: must be a list of key IDs`);
  return entry as NodeSecrets;
}

/** Loads the region and this organisation's keys; every key must match what the region publishes. */
export function loadMembership(
  regionFile: string,
  secretsFile: string,
  ura: string,
  clock = () => Date.now() / 1000,
): Membership {
  let region: RegionConfig;
  try {
    region = loadRegionConfig(regionFile);
  } catch (error) {
    if (error instanceof RegionConfigError) throw new ConfigError(error.message);
    throw error;
  }
  return membershipOf(region, loadNodeSecrets(secretsFile, ura), ura, secretsFile, clock);
}

export function membershipOf(
  region: RegionConfig,
  secrets: NodeSecrets,
  ura: string,
  where = 'secrets',
  clock = () => Date.now() / 1000,
): Membership {
  const organisation = findOrganisation(region, ura);
  if (!organisation) throw new ConfigError(`organisation ${ura} is not a member of region "${region.name}"`);
  const origin = logOriginOf(region, organisation);
  const mismatch = (what: string): never => {
    throw new ConfigError(`${where}: the ${what} of ${ura} does not match the public key in the region file`);
  };

  let logSigner: NoteSigner;
  try {
    logSigner = signerFromKey(secrets.logSigner);
  } catch (error) {
    throw new ConfigError(`${where}: logSigner: ${(error as Error).message}`);
  }
  const logVerifier = verifierFromKey(organisation.logKey);
  if (logSigner.name !== origin || !bytesEqual(logSigner.keyId, logVerifier.keyId)) mismatch('log key');

  const cosignerSeed = seed(secrets.cosignerSecret, `${where}: cosignerSecret`);
  if (encodeCosignerKey(secrets.cosignerName, ed25519PublicKey(cosignerSeed)) !== organisation.cosignerKey) {
    mismatch('witness cosigner key');
  }
  const cosigner = ed25519Cosigner(secrets.cosignerName, cosignerSeed, clock);

  const statementSeed = seed(secrets.statementSecret, `${where}: statementSecret`);
  const keyId = keyIdOf('Ed25519', ed25519PublicKey(statementSeed));
  if (keyId !== secrets.statementKeyId)
    throw new ConfigError(`${where}: statementKeyId is not the key ID of statementSecret`);
  const configured = (id: string) => organisation.statementKeys.some((k) => k.keyId === id);
  const statementKeyConfigured = configured(keyId);
  // A rotated key is not in the region file; its secrets file keeps the region file's key as the
  // derivation secret, and the logbook must hold the chain (checkStatementKeyOnLog, at start).
  const derivationSeed =
    secrets.derivationSecret === undefined
      ? statementSeed
      : seed(secrets.derivationSecret, `${where}: derivationSecret`);
  if (!configured(keyIdOf('Ed25519', ed25519PublicKey(derivationSeed)))) mismatch('statement key');
  return {
    region,
    organisation,
    origin,
    logSigner,
    cosigner,
    statementKey: { keyId, secretKey: statementSeed },
    statementKeyConfigured,
    derivationSecret: derivationSeed,
  };
}

/**
 * Whether the node may sign with its statement key, by what the logbook holds: a key rotated out or
 * revoked is refused, and a key the region file does not name must be bound to this organisation's
 * node through rotations from a key the region file names. Undefined when it may; else why not.
 */
export function statementKeyProblem(membership: Membership, keys: KeyRegister): string | undefined {
  const { keyId } = membership.statementKey;
  const status = keyStatus(keys, keyId);
  const restore = 'put the current key in the secrets file (the one `ketenlog keys rotate` wrote)';
  if (status === 'revoked')
    return `statement key ${keyId} is revoked on the logbook; ${restore}, or rotate from the last key that is not revoked`;
  if (status === 'rotated')
    return `statement key ${keyId} was rotated out on the logbook (replaced by ${keys.rotations.get(keyId)?.replacedBy}); ${restore}`;
  if (status === 'unknown')
    return `statement key ${keyId} is neither in the region file nor bound on the logbook this node holds (was the rotation submitted?)`;
  const own = organisationRef(membership.organisation.ura);
  const configured = new Set(membership.organisation.statementKeys.map((k) => k.keyId));
  // Walk the chain back: each link a node key of this organisation, ending at a configured key.
  const seen = new Set<string>();
  for (let id: string | undefined = keyId; id !== undefined && !seen.has(id);) {
    seen.add(id);
    const binding = keys.bindings.get(id);
    if (!binding || binding.holder !== own || binding.role !== NODE_ROLE)
      return `statement key ${keyId} is not a node key of ${own} on the logbook`;
    if (configured.has(id)) return undefined;
    id = binding.replaces;
  }
  return `statement key ${keyId} does not descend by rotations from a key the region file names for ${own}`;
}

/** Writes a secrets file whole or not at all (a temporary file renamed over it), mode 600. */
export function writeNodeSecrets(file: string, secrets: NodeSecrets): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, file);
}

function seed(base64: string, what: string): Uint8Array {
  const bytes = fromBase64(base64);
  if (!bytes || bytes.length !== 32) throw new ConfigError(`${what}: must be a base64 32-byte Ed25519 seed`);
  return bytes;
}
