// Test support: the Mitz stand-in (mitz-standin.ts) as a separate process.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClosedQuestion } from '../src/mitz/closed-question.ts';
import type { MitzStandinConfig, StandinChoice } from './mitz-standin.ts';

const SCRIPT = join(import.meta.dirname, 'mitz-standin.ts');

export interface RunningMitzStandin {
  readonly url: string;
  /** The client changes her choice in the Mitz portal; the number of subscribers notified. */
  choose(choice: StandinChoice): Promise<number>;
  /** The closed questions received so far. */
  questions(): Promise<ClosedQuestion[]>;
  subscriptions(): Promise<{ bsn: string; holder: string; endpoint: string }[]>;
  stop(): Promise<void>;
}

export async function startMitzStandin(config: MitzStandinConfig): Promise<RunningMitzStandin> {
  const file = join(mkdtempSync(join(tmpdir(), 'ketenlog-mitz-')), 'mitz.json');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, [SCRIPT, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /READY (\S+)/.exec(out);
      if (ready) resolve(ready[1]!);
    });
    child.once('exit', (code) => reject(new Error(`Mitz stand-in exited with ${code}: ${errors}`)));
  });
  const json = async <T>(path: string, init?: RequestInit): Promise<T> =>
    (await (await fetch(`${url}${path}`, init)).json()) as T;
  return {
    url,
    choose: async (choice) =>
      (
        await json<{ notified: number }>('/standin/choices', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(choice),
        })
      ).notified,
    questions: () => json('/standin/questions'),
    subscriptions: () => json('/standin/subscriptions'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
