// Test and benchmark helper process: one of several processes of one organisation appending to one
// log on PostgreSQL. It prints `role integrating|forwarding` whenever its role changes and
// `ack <index> <entry>` for each acknowledged append (committed under a stored checkpoint), from
// eight concurrent writers, without end; the test or benchmark kills it with SIGKILL.
//
//   node shared-append-child.ts <postgres url> <schema> <run id>
import { openPostgres } from '@ketenlog/storage';
import { utf8 } from '../bytes.ts';
import { SharedLog } from '../writer/shared-log.ts';
import { testLogOptions } from './log-keys.ts';

const WRITERS = 8;
const [url, schema, run] = process.argv.slice(2);
if (!url || !schema || !run) {
  console.error('usage: shared-append-child.ts <postgres url> <schema> <run id>');
  process.exit(2);
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const db = await openPostgres(url, { searchPath: schema });
const log = await SharedLog.open(db, {
  ...testLogOptions('shared'),
  pollMs: 200,
  onRole: (integrating) => say(`role ${integrating ? 'integrating' : 'forwarding'}`),
});
say(`role ${log.integrating ? 'integrating' : 'forwarding'}`);
await Promise.all(
  Array.from({ length: WRITERS }, async (_, w) => {
    for (let n = 0; ; n++) {
      const entry = `${run}/${w}/${n}`;
      try {
        const { index } = await log.append(utf8(entry));
        say(`ack ${index} ${entry}`);
      } catch {
        // Not acknowledged (e.g. while the role changed hands): it may or may not be in the log.
        say(`fail ${entry}`);
      }
    }
  }),
);
