// Drives one shared-append-child.ts process: its acknowledged appends and its role, as the parent
// sees them, with the parent's clock.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const CHILD = join(import.meta.dirname, 'shared-append-child.ts');

export class AppendProcess {
  /** Acknowledged entries by index. */
  readonly acks = new Map<number, string>();
  role: 'integrating' | 'forwarding' | undefined;
  /** performance.now() when it last became the integrator. */
  integratingSince: number | undefined;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #stderr = '';
  #listeners = new Set<() => void>();

  constructor(url: string, schema: string, run: string) {
    this.#child = spawn(process.execPath, [CHILD, url, schema, run], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    this.#child.stdout!.setEncoding('utf8');
    this.#child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) this.#read(line);
      for (const listener of this.#listeners) listener();
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    this.#exited = new Promise((resolve) => this.#child.on('exit', () => resolve()));
  }

  #read(line: string): void {
    const [word, a, b] = line.split(' ');
    if (word === 'ack') {
      if (b === undefined) throw new Error(`append child: an ack line without an entry: ${line}`);
      this.acks.set(Number(a), b);
    }
    if (word === 'role') {
      this.role = a as 'integrating' | 'forwarding';
      this.integratingSince = a === 'integrating' ? performance.now() : undefined;
    }
  }

  /** Resolves once `condition` holds after some output; rejects when the process exits first. */
  until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.#listeners.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (condition()) done();
      };
      const timer = setTimeout(() => done(new Error(`timed out; stderr: ${this.#stderr}`)), timeoutMs);
      this.#listeners.add(check);
      void this.#exited.then(() => done(new Error(`append process exited; stderr: ${this.#stderr}`)));
      check();
    });
  }

  /** SIGKILL: no clean-up of any kind; resolves once the process is gone. */
  async kill(): Promise<void> {
    this.#child.kill('SIGKILL');
    await this.#exited;
  }
}
