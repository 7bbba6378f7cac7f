// A node's membership of a region: the region configuration every member loads, this node's
// organisation in it, and the node's secret keys (log checkpoints, witness cosignatures,
// statements), checked against the public keys the region publishes for it.
import { readFileSync } from 'node:fs';
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
  loadRegionConfig,
  logOriginOf,
  RegionConfigError,
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
}

export interface Membership {
  readonly region: RegionConfig;
  readonly organisation: Organisation;
  /** This node's log origin (checkpoint origin line). */
  readonly origin: string;
  readonly logSigner: NoteSigner;
  readonly cosigner: NoteSigner;
  readonly statementKey: { readonly keyId: string; readonly secretKey: Uint8Array };
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
  if (keyId !== secrets.statementKeyId || !organisation.statementKeys.some((k) => k.keyId === keyId)) {
    mismatch('statement key');
  }
  return {
    region,
    organisation,
    origin,
    logSigner,
    cosigner,
    statementKey: { keyId, secretKey: statementSeed },
  };
}

function seed(base64: string, what: string): Uint8Array {
  const bytes = fromBase64(base64);
  if (!bytes || bytes.length !== 32) throw new ConfigError(`${what}: must be a base64 32-byte Ed25519 seed`);
  return bytes;
}
