// Test helper process for the kill -9 reliability test: opens a SQLite log and appends batches
// of entries without end, printing `ack <index> <entry>` for each acknowledged append (that is,
// after the commit and the stored checkpoint). The test kills it at random moments.
//
//   node append-child.ts <sqlite file> <run id>
import { openSqlite } from '@ketenlog/storage';
import { utf8 } from '../bytes.ts';
import { Sequencer } from '../sequencer.ts';
import { testLogOptions } from './log-keys.ts';

const [path, run] = process.argv.slice(2);
if (!path || !run) {
  console.error('usage: append-child.ts <sqlite file> <run id>');
  process.exit(2);
}

const db = await openSqlite(path);
const log = await Sequencer.open(db, testLogOptions('crash'));
process.stdout.write(`open ${log.size}\n`);
for (let batch = 0; ; batch++) {
  const size = 1 + (batch % 40);
  await Promise.all(
    Array.from({ length: size }, async (_, i) => {
      const entry = `${run}/${batch}/${i}`;
      const { index } = await log.append(utf8(entry));
      process.stdout.write(`ack ${index} ${entry}\n`);
    }),
  );
}
