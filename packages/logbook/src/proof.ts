// C2SP tlog-proof v1: an offline-verifiable receipt — index, inclusion proof and the cosigned
// checkpoint — for one log entry. Browser-safe and free of node: imports.
import { fromBase64, toBase64 } from './bytes.ts';
import { type Checkpoint } from './checkpoint.ts';
import { cosignatureVerifierFromKey, openCosignedCheckpoint, type Cosignature } from './cosignature.ts';
import { HASH_SIZE, leafHash, verifyInclusion, type Hash } from './merkle.ts';
import { verifierFromKey } from './note.ts';
import { isDecimal } from './decimal.ts';

/** tlog-proof §Format: the first line. */
export const PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface Receipt {
  /** Unauthenticated application data (tlog-proof: MUST NOT be trusted implicitly). */
  readonly extra?: Uint8Array;
  readonly index: number;
  /** RFC 9162 inclusion proof, from the leaf's sibling up to the root's child. */
  readonly proof: readonly Hash[];
  /** The log's signed checkpoint note, verbatim, with its cosignatures. */
  readonly checkpoint: string;
}

export class ReceiptError extends Error {
  override name = 'ReceiptError';
}

export function formatReceipt(receipt: Receipt): string {
  const { extra, index, proof, checkpoint } = receipt;
  if (!Number.isSafeInteger(index) || index < 0) throw new ReceiptError(`invalid index ${index}`);
  if (proof.some((h) => h.length !== HASH_SIZE)) throw new ReceiptError('proof hashes must be 32 bytes');
  const lines = [PROOF_HEADER];
  if (extra) lines.push(`extra ${toBase64(extra)}`);
  lines.push(`index ${index}`, ...proof.map(toBase64), '');
  return `${lines.join('\n')}\n${checkpoint}`;
}

/** Parses a receipt strictly; signatures and proof are checked by verifyReceipt. */
export function parseReceipt(text: string): Receipt {
  const lines = text.split('\n');
  let at = 0;
  if (lines[at++] !== PROOF_HEADER) throw new ReceiptError(`first line must be ${PROOF_HEADER}`);
  let extra: Uint8Array | undefined;
  const extraLine = lines[at];
  if (extraLine?.startsWith('extra ')) {
    at++;
    extra = fromBase64(extraLine.slice('extra '.length));
    if (!extra) throw new ReceiptError('extra is not base64');
  }
  const indexLine = lines[at++] ?? '';
  if (!indexLine.startsWith('index ') || !isDecimal(indexLine.slice(6))) {
    throw new ReceiptError('expected "index <decimal>"');
  }
  const index = Number(indexLine.slice(6));
  if (!Number.isSafeInteger(index)) throw new ReceiptError('index too large');
  const proof: Hash[] = [];
  for (let line = lines[at]; line !== undefined && line !== ''; line = lines[at]) {
    at++;
    const hash = fromBase64(line);
    if (!hash || hash.length !== HASH_SIZE)
      throw new ReceiptError(`proof line ${at} is not a base64 SHA-256 hash`);
    proof.push(hash);
  }
  if (at >= lines.length) throw new ReceiptError('missing empty line before the checkpoint');
  const checkpoint = lines.slice(at + 1).join('\n');
  if (checkpoint.length === 0) throw new ReceiptError('missing checkpoint');
  return { ...(extra ? { extra } : {}), index, proof, checkpoint };
}

/** Who a verifier trusts: the log's origin and note key, the witnesses' keys and the quorum. */
export interface ReceiptPolicy {
  readonly origin: string;
  /** signed-note vkey of the log (type 0x01). */
  readonly logKey: string;
  /** tlog-cosignature vkeys of the witnesses (type 0x04). */
  readonly witnessKeys: readonly string[];
  /** How many distinct witnesses must have cosigned for the receipt to be final. */
  readonly quorum: number;
}

export interface VerifiedReceipt {
  readonly index: number;
  readonly checkpoint: Checkpoint;
  readonly cosignatures: readonly Cosignature[];
}

export type ReceiptResult =
  { readonly ok: true; readonly receipt: VerifiedReceipt } | { readonly ok: false; readonly reason: string };

/**
 * Verifies a receipt for an entry offline: the log signed the checkpoint, a quorum of witnesses
 * cosigned it, and the inclusion proof puts leafHash(entry) at the index (RFC 9162 §2.1.3.2).
 */
export function verifyReceipt(
  receipt: string | Receipt,
  entry: Uint8Array,
  policy: ReceiptPolicy,
  /**
   * Checkpoints this verifier opened before, by policy and checkpoint text: receipts under one
   * cosigned checkpoint then check its signatures once (a page of many receipts). Only a checkpoint
   * that opened is kept.
   */
  opened?: Map<string, ReturnType<typeof openCosignedCheckpoint>>,
): ReceiptResult {
  try {
    const parsed = typeof receipt === 'string' ? parseReceipt(receipt) : receipt;
    const key = [policy.origin, policy.logKey, ...policy.witnessKeys, policy.quorum, parsed.checkpoint].join(
      '\n',
    );
    const known = opened?.get(key);
    const checkpoint =
      known ??
      openCosignedCheckpoint(
        parsed.checkpoint,
        policy.origin,
        verifierFromKey(policy.logKey),
        policy.witnessKeys.map(cosignatureVerifierFromKey),
        policy.quorum,
      );
    if (!known) opened?.set(key, checkpoint);
    const { size, root } = checkpoint.checkpoint;
    if (parsed.index >= size)
      return { ok: false, reason: `index ${parsed.index} is beyond tree size ${size}` };
    if (!verifyInclusion(parsed.index, size, leafHash(entry), parsed.proof, root)) {
      return { ok: false, reason: 'inclusion proof does not match the checkpoint root' };
    }
    return {
      ok: true,
      receipt: {
        index: parsed.index,
        checkpoint: checkpoint.checkpoint,
        cosignatures: checkpoint.cosignatures,
      },
    };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
