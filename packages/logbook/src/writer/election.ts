// One process at a time holds a role (integrating a log, running the mirrors), elected through
// PostgreSQL: a session-level advisory lock on a connection of its own. The server releases it when
// that connection ends — a clean close, the process dying (SIGKILL: the kernel closes the socket),
// or, after the session's TCP keepalive gives up, a partition — and the next waiting process, blocked
// in pg_advisory_lock, gets it at once. On SQLite there is one process, which always holds the role.
import { oneRow, type Db, type DbSession } from '@ketenlog/storage';
import { LOCK_SPACE } from '../store/pending-appends.ts';

export interface ElectionOptions {
  /** The role, unique per schema (e.g. `log:statements`). */
  readonly role: string;
  /** Called when this process got the role; when it throws, the role is given up and retried. */
  readonly onElected: () => Promise<void>;
  /** Called when this process lost the role (its lock connection ended) or is closing. */
  readonly onDeposed: () => Promise<void>;
  /** How often the holder checks its lock connection. Default 1 s. */
  readonly heartbeatMs?: number;
  /** Wait before trying again after a failure. Default 250 ms. */
  readonly retryMs?: number;
  /** Seconds the server keeps a silent holder's connection (and so its lock). Default 5. */
  readonly keepaliveSeconds?: number;
  readonly onError?: (error: unknown) => void;
}

const LOCK_KEY = "?::int, hashtext(current_schema() || '/' || ?)";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class Election {
  readonly #db: Db;
  readonly #options: ElectionOptions;
  #session: DbSession | undefined;
  #elected = false;
  #closed = false;
  #loop: Promise<void> = Promise.resolve();

  private constructor(db: Db, options: ElectionOptions) {
    this.#db = db;
    this.#options = options;
  }

  /**
   * Starts campaigning. Resolves once the first attempt is decided: this process holds the role
   * (and `onElected` has run), or another holds it and this one waits in the background.
   */
  static async start(db: Db, options: ElectionOptions): Promise<Election> {
    const election = new Election(db, options);
    if (!db.session) {
      await options.onElected();
      election.#elected = true;
      return election;
    }
    let firstDecided!: () => void;
    const decided = new Promise<void>((resolve) => (firstDecided = resolve));
    election.#loop = election.#campaign(firstDecided);
    await decided;
    return election;
  }

  /** True while this process holds the role. */
  get elected(): boolean {
    return this.#elected;
  }

  /**
   * Gives the role up and stops campaigning: first the holder's work stops (`onDeposed`), then
   * closing the lock connection releases the lock, so a successor never overlaps a clean exit.
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#elected) {
      this.#elected = false;
      await this.#options.onDeposed();
    }
    await this.#session?.close();
    await this.#loop;
  }

  async #campaign(firstDecided: () => void): Promise<void> {
    const { role, retryMs = 250 } = this.#options;
    let first = true;
    while (!this.#closed) {
      let session: DbSession | undefined;
      try {
        session = await this.#db.session!({ keepaliveSeconds: this.#options.keepaliveSeconds ?? 5 });
        this.#session = session;
        if (this.#closed) break;
        // The first attempt does not block, so `start` can tell its caller whether it holds the role.
        if (first) {
          const { got } = oneRow(
            await session.all<{ got: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS got`, [
              LOCK_SPACE,
              role,
            ]),
          );
          if (!got) {
            first = false;
            firstDecided();
            await session.all(`SELECT pg_advisory_lock(${LOCK_KEY})`, [LOCK_SPACE, role]);
          }
        } else {
          await session.all(`SELECT pg_advisory_lock(${LOCK_KEY})`, [LOCK_SPACE, role]);
        }
        if (this.#closed) break;
        this.#elected = true;
        await this.#options.onElected();
        if (first) firstDecided();
        first = false;
        await this.#hold(session);
      } catch (error) {
        if (!this.#closed) this.#options.onError?.(error);
      } finally {
        if (this.#elected && !this.#closed) {
          this.#elected = false;
          await this.#options.onDeposed().catch((error: unknown) => this.#options.onError?.(error));
        }
        await session?.close();
      }
      if (first) {
        first = false;
        firstDecided();
      }
      if (!this.#closed) await sleep(retryMs);
    }
    firstDecided();
  }

  /** Returns when the lock connection is gone or stops answering. */
  async #hold(session: DbSession): Promise<void> {
    const heartbeatMs = this.#options.heartbeatMs ?? 1000;
    let gone = false;
    void session.ended.then(() => (gone = true));
    while (!gone && !this.#closed) {
      const beat = session.all('SELECT 1').then(
        () => true,
        () => false,
      );
      const answered = await Promise.race([
        beat,
        sleep(heartbeatMs * 3).then(() => false),
        session.ended.then(() => false),
      ]);
      if (!answered) return;
      await Promise.race([sleep(heartbeatMs), session.ended]);
    }
  }
}
