// Several processes of one node: the one whose round reached the quorum stores the final
// checkpoint; another process adopts it from the store, and its waiters resolve.
import { testDatabases } from '@ketenlog/storage';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.ts';
import { verifierFromKey } from '../note.ts';
import { Sequencer } from '../sequencer.ts';
import { testLogOptions } from '../testing/log-keys.ts';
import { CosignedStore } from './cosigned-store.ts';
import { Finality } from './finality.ts';

describe.each(testDatabases())('Finality.refresh on $name', ({ open }) => {
  it('adopts a final checkpoint another process stored and resolves its waiters', async () => {
    const db = await open();
    const options = testLogOptions('statements');
    const log = await Sequencer.open(db, options);
    const { checkpoint } = await log.append(utf8('{"n":1}'));
    const store = await CosignedStore.open(db, options.logId);
    const finality = await Finality.open({
      reader: log.reader,
      store,
      // Its own witness is out of reach: only another process's round can make the entry final.
      witnesses: [
        { name: 'w', url: 'http://127.0.0.1:9/witness', verifier: verifierFromKey(options.verifierKey) },
      ],
      quorum: 1,
      fetch: () => Promise.reject(new TypeError('fetch failed')),
      retryMs: 50,
    });
    try {
      const waiting = finality.waitFinal(1, 5_000);
      const cosigned = { size: checkpoint.size, note: `${checkpoint.note}— w cosignature\n` };
      await store.add(cosigned);
      await finality.refresh();
      expect(await waiting).toBe(true);
      expect(finality.final).toEqual(cosigned);
    } finally {
      await finality.close();
      await log.close();
      await db.close();
    }
  });
});
