// C2SP tlog-witness add-checkpoint: the request body (old size, consistency proof, checkpoint) and
// the response (cosignature lines), shared by the witness that serves it and the log that calls it.
import { fromBase64, toBase64 } from '../bytes.ts';
import { HASH_SIZE, type Hash } from '../merkle.ts';
import { isDecimal } from '../decimal.ts';

/** tlog-witness: a client MUST NOT send more than 63 consistency proof lines. */
export const MAX_PROOF_LINES = 63;

/** tlog-witness: the 409 response body's content type (the witness's latest cosigned size). */
export const TLOG_SIZE_TYPE = 'text/x.tlog.size';

export interface AddCheckpointRequest {
  /** The size of the latest checkpoint the witness cosigned for this origin (0 if none). */
  readonly oldSize: number;
  /** RFC 9162 consistency proof from oldSize to the checkpoint's size; empty when oldSize is 0. */
  readonly proof: readonly Hash[];
  /** The signed checkpoint note, verbatim. */
  readonly checkpoint: string;
}

/** A request that does not follow the format: answered with 400. */
export class AddCheckpointFormatError extends Error {
  override name = 'AddCheckpointFormatError';
}

export function formatAddCheckpoint(request: AddCheckpointRequest): string {
  const { oldSize, proof, checkpoint } = request;
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) throw new RangeError(`invalid old size ${oldSize}`);
  if (proof.length > MAX_PROOF_LINES) throw new RangeError(`proof of ${proof.length} lines is too long`);
  return [`old ${oldSize}`, ...proof.map(toBase64), '', checkpoint].join('\n');
}

export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const lines = body.split('\n');
  const first = lines[0] ?? '';
  if (!first.startsWith('old ') || !isDecimal(first.slice(4))) {
    throw new AddCheckpointFormatError('the first line must be "old <decimal size>"');
  }
  const oldSize = Number(first.slice(4));
  if (!Number.isSafeInteger(oldSize)) throw new AddCheckpointFormatError('old size is too large');
  const proof: Hash[] = [];
  let at = 1;
  for (let line = lines[at]; line !== undefined && line !== ''; line = lines[++at]) {
    const hash = fromBase64(line);
    if (!hash || hash.length !== HASH_SIZE) {
      throw new AddCheckpointFormatError(`line ${at + 1} is not a base64 SHA-256 hash`);
    }
    proof.push(hash);
  }
  if (proof.length > MAX_PROOF_LINES) throw new AddCheckpointFormatError('more than 63 proof lines');
  if (at >= lines.length) throw new AddCheckpointFormatError('missing the empty line before the checkpoint');
  const checkpoint = lines.slice(at + 1).join('\n');
  if (!checkpoint) throw new AddCheckpointFormatError('missing the checkpoint');
  return { oldSize, proof, checkpoint };
}

/** The checkpoint note with the witness's response lines (cosignatures) appended. */
export function withCosignatureLines(note: string, responseBody: string): string {
  const lines = responseBody.split('\n').filter((line) => line !== '');
  if (lines.length === 0 || lines.some((line) => !line.startsWith('\u2014 '))) {
    throw new AddCheckpointFormatError(
      'a cosignature response must be signature lines starting with "\u2014 "',
    );
  }
  return `${note}${lines.join('\n')}\n`;
}
