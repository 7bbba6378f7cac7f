import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateMemberKeys } from '@ketenlog/region';
import { UsageError, type Command } from './command.ts';

const NODE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const keygenCommand = {
  name: 'keygen',
  summary: "generate a member node's keys: secrets to a file, public keys for the region file",
  help: `Usage: ketenlog keygen --origin-prefix <prefix> --node <node id> --secrets <file>

Generates the three Ed25519 keys of one member node — its log's checkpoint key, its witness's
cosigner key and its statement-signing key — writes the secret keys to --secrets (mode 600; it
refuses to overwrite a file) and prints the public "keys:" block to paste under the organisation's
entry in the region file. The log origin is <prefix><node id>, e.g. regio-maasland.nl/ketenlog/
plus kraamzorg-dewieg.
  --origin-prefix <p>  the region's logOriginPrefix (from the region file)
  --node <id>          the node id (lowercase letters, digits and dashes)
  --secrets <file>     where to write the secret keys (keep it on the node only)`,
  async run(args: string[]): Promise<number> {
    const { values } = parseArgs({
      args,
      options: { 'origin-prefix': { type: 'string' }, node: { type: 'string' }, secrets: { type: 'string' } },
    });
    const prefix = values['origin-prefix'];
    if (!prefix || !values.node || !values.secrets) {
      throw new UsageError('ketenlog keygen: --origin-prefix, --node and --secrets are required');
    }
    if (!NODE_ID.test(values.node)) throw new UsageError(`ketenlog keygen: --node must match ${NODE_ID}`);
    if (existsSync(values.secrets))
      throw new UsageError(`ketenlog keygen: ${values.secrets} exists; not overwriting keys`);
    const { yaml, secrets } = generateMemberKeys(`${prefix}${values.node}`);
    writeFileSync(values.secrets, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    console.log(`# Secret keys written to ${values.secrets} (mode 600). Public keys for the region file:`);
    console.log(yaml);
    return 0;
  },
} satisfies Command & { run(args: string[]): Promise<number> };
