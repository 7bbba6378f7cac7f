import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkpointOfNote, parseEntry, parseReceipt, verifyReceipt } from '@ketenlog/logbook';
import { loadRegionConfig, receiptPolicyFor, RegionConfigError } from '@ketenlog/region';
import { UsageError, type Command } from './command.ts';

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(
      `ketenlog verify-receipt: cannot read the ${what} ${path}: ${(error as Error).message}`,
    );
  }
}

export const verifyReceiptCommand = {
  name: 'verify-receipt',
  summary: 'check a logbook receipt offline against the region file',
  help: `Usage: ketenlog verify-receipt <receipt file> --region <region.yaml> [--entry <file>]

Checks a C2SP tlog-proof receipt without contacting any node: the log's signature on the
checkpoint (with the log key the region file publishes), cosignatures by at least the region's
witness quorum, and the inclusion proof of the entry at its index. The entry is the one the
receipt carries (its "extra" line), or --entry <file>. Exit code 0 only when the receipt holds.
  --region <file>   the region configuration every member loads (keys and witness quorum)
  --entry <file>    the exact entry bytes, when the receipt does not carry them`,
  async run(args: string[]): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { region: { type: 'string' }, entry: { type: 'string' } },
    });
    const [file] = positionals;
    if (file === undefined || positionals.length !== 1)
      throw new UsageError('ketenlog verify-receipt: give exactly one receipt file');
    if (!values.region) throw new UsageError('ketenlog verify-receipt: --region <region.yaml> is required');
    let config;
    try {
      config = loadRegionConfig(values.region);
    } catch (error) {
      if (error instanceof RegionConfigError) throw new UsageError(error.message);
      throw error;
    }
    const text = read(file, 'receipt').toString('utf8');
    let origin: string;
    let carried: Uint8Array | undefined;
    try {
      const receipt = parseReceipt(text);
      carried = receipt.extra;
      origin = checkpointOfNote(receipt.checkpoint).origin;
    } catch (error) {
      console.log(`receipt does NOT hold: it is not a tlog-proof receipt (${(error as Error).message})`);
      return 1;
    }
    const entry = values.entry ? new Uint8Array(read(values.entry, 'entry')) : carried;
    if (!entry)
      throw new UsageError('ketenlog verify-receipt: the receipt carries no entry: pass --entry <file>');
    const policy = receiptPolicyFor(config, origin);
    if (!policy) {
      console.log(`receipt does NOT hold: ${origin} is not the log of a member of region "${config.name}"`);
      return 1;
    }
    const result = verifyReceipt(text, entry, policy);
    if (!result.ok) {
      console.log(`receipt does NOT hold: ${result.reason}`);
      return 1;
    }
    const { receipt } = result;
    const statement = parseEntry(entry);
    const kind = statement.ok ? `${statement.value.statement.kind} statement` : 'entry';
    console.log(
      `receipt holds: ${kind} at index ${receipt.index} of ${origin} (tree size ${receipt.checkpoint.size}), ` +
        `cosigned by ${receipt.cosignatures.map((c) => c.cosigner).join(', ')} (quorum ${policy.quorum})`,
    );
    return 0;
  },
} satisfies Command & { run(args: string[]): Promise<number> };
