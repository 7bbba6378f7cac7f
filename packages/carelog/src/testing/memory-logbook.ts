// Test support: one kraamzorg node's log in memory, judged and folded by the region's real rules
// (RegionPolicy, packages/region), with real receipts (a checkpoint signed by the log's key and
// cosigned by a witness quorum, and an RFC 9162 inclusion proof). Tests only.
import {
  addSignatures,
  ed25519Cosigner,
  ed25519PublicKey,
  entryBytes,
  formatReceipt,
  fromBase64,
  inclusionProof,
  keyIdOf,
  leafHash,
  leafListReader,
  rootFromLeafHashes,
  signCheckpoint,
  signerFromKey,
  signStatement,
  toBase64,
  generateSecretKey,
  STATEMENT_VERSION,
  type LogRef,
  type SignedStatement,
  type Statement,
  type WebAuthnVerify,
} from '@ketenlog/logbook';
import {
  generateDemoRegion,
  logOriginOf,
  parseRegionConfig,
  RegionPolicy,
  carelogView,
  type EntryPosition,
  type RegionConfig,
  type CarelogStateView,
} from '@ketenlog/region';
import { fail, ok, type Result } from '@ketenlog/problem';
import type { CarelogLogbook, OrganisationSigner } from '../carelog-service.ts';

export interface TestKey {
  readonly secret: Uint8Array;
  readonly publicKey: string;
  readonly keyId: string;
}

export function newTestKey(): TestKey {
  const secret = generateSecretKey();
  const publicKey = ed25519PublicKey(secret);
  return { secret, publicKey: toBase64(publicKey), keyId: keyIdOf('Ed25519', publicKey) };
}

export interface TestRegion {
  readonly config: RegionConfig;
  /** Kraamzorg De Wieg: the node under test. */
  readonly kraamzorg: { readonly ref: string; readonly key: TestKey; readonly log: LogRef };
  readonly insurer: { readonly ref: string; readonly key: TestKey; readonly log: LogRef };
  readonly logSigner: string;
  /** Witness cosigners (name, base64 secret) of every other member. */
  readonly witnesses: readonly { readonly name: string; readonly secret: string }[];
}

/** The demo region with fresh keys; its first member is the kraamzorg, its fourth the insurer. */
export function testRegion(): TestRegion {
  const demo = generateDemoRegion();
  const config = parseRegionConfig(demo.yaml, 'demo-region.yaml');
  const secretsOf = (ura: string) => {
    const secrets = demo.secrets.organisations[ura];
    if (!secrets) throw new Error(`the demo region has no secrets for ${ura}`);
    return secrets;
  };
  const member = (i: number) => {
    const organisation = config.organisations[i];
    const [statementKey] = organisation?.statementKeys ?? [];
    if (!organisation || !statementKey) throw new Error(`the demo region has no member ${i} with a key`);
    const secrets = secretsOf(organisation.ura);
    return {
      ura: organisation.ura,
      ref: `ura:${organisation.ura}`,
      key: {
        secret: fromBase64(secrets.statementSecret) as Uint8Array,
        publicKey: statementKey.publicKey,
        keyId: secrets.statementKeyId,
      },
      log: { logId: 'statements', origin: logOriginOf(config, organisation) },
    };
  };
  const kraamzorg = member(0);
  const witnesses = config.organisations
    .slice(1)
    .map((o) => secretsOf(o.ura))
    .map((s) => ({ name: s.cosignerName, secret: s.cosignerSecret }));
  return { config, kraamzorg, insurer: member(3), logSigner: secretsOf(kraamzorg.ura).logSigner, witnesses };
}

export function organisationSigner(key: TestKey): OrganisationSigner {
  return { keyId: key.keyId, sign: (statement) => signStatement(statement, key.secret) };
}

/** A statement signed by `key` (the author). */
export function signed(
  key: TestKey,
  kind: Statement['kind'],
  iat: number,
  body: Statement['body'],
  subject?: string,
): SignedStatement {
  return signStatement(
    { kind, v: STATEMENT_VERSION, author: key.keyId, iat, ...(subject ? { subject } : {}), body },
    key.secret,
  );
}

/** The kraamzorg node's log in memory: appends what the region's rules accept, folds it, and proves it. */
export class MemoryLogbook implements CarelogLogbook {
  readonly #policy: RegionPolicy;
  readonly #region: TestRegion;
  readonly entries: Uint8Array[] = [];

  constructor(region: TestRegion, webauthnVerify?: WebAuthnVerify) {
    this.#region = region;
    this.#policy = new RegionPolicy(region.config, webauthnVerify ? { webauthnVerify } : {});
  }

  get state(): CarelogStateView {
    return carelogView(this.#policy.state);
  }

  readonly #elsewhere = new Map<string, number>();

  async append(envelope: SignedStatement): Promise<Result<{ readonly index: number }>> {
    const bytes = entryBytes(envelope);
    const index = this.entries.length;
    const verdict = this.#policy.check(this.#region.kraamzorg.log, index, bytes);
    if (!verdict.ok) return fail(422, 'business-rule', verdict.reason);
    this.#policy.accept(this.#region.kraamzorg.log, index, bytes);
    this.entries.push(bytes);
    return ok({ index });
  }

  /** Folds a statement of another member's log (as a mirror would), judged by the same rules. */
  appendElsewhere(log: LogRef, envelope: SignedStatement): Result<{ readonly index: number }> {
    const bytes = entryBytes(envelope);
    const index = this.#elsewhere.get(log.origin) ?? 0;
    const verdict = this.#policy.check(log, index, bytes);
    if (!verdict.ok) return fail(422, 'business-rule', verdict.reason);
    this.#policy.accept(log, index, bytes);
    this.#elsewhere.set(log.origin, index + 1);
    return ok({ index });
  }

  /** A final receipt over the whole log so far for the entry at `at` (undefined for other logs). */
  async receipt(at: EntryPosition): Promise<string | undefined> {
    const { origin } = this.#region.kraamzorg.log;
    if (at.origin !== origin || at.index >= this.entries.length) return undefined;
    const leaves = this.entries.map(leafHash);
    const size = leaves.length;
    const note = signCheckpoint(
      { origin, size, root: rootFromLeafHashes(leaves), extensions: [] },
      signerFromKey(this.#region.logSigner),
    );
    const clock = () => Date.now() / 1000;
    const cosigned = addSignatures(
      note,
      this.#region.witnesses.map((w) => ed25519Cosigner(w.name, fromBase64(w.secret) as Uint8Array, clock)),
    );
    return formatReceipt({
      extra: this.entries[at.index],
      index: at.index,
      proof: inclusionProof(at.index, size, leafListReader(leaves)),
      checkpoint: cosigned,
    });
  }
}
