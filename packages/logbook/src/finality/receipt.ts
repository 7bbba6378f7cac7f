// A C2SP tlog-proof receipt for one entry of the log, against its latest final checkpoint. The
// entry itself travels in the receipt's `extra` line, so a receipt file verifies on its own
// (`ketenlog verify-receipt`): the inclusion proof authenticates it.
import { formatReceipt } from '../proof.ts';
import type { LogReader } from '../store/log-reader.ts';
import type { StoredCheckpoint } from '../store/log-store.ts';

export async function receiptFor(reader: LogReader, final: StoredCheckpoint, index: number): Promise<string> {
  const { entry, inclusionProof } = await reader.entry(index, final.size);
  return formatReceipt({ extra: entry, index, proof: inclusionProof, checkpoint: final.note });
}
