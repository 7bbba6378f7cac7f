/**
 * How parties exchange one message per peer per round. The engine batches every operation of a
 * round into that single message. Implementations: in-process (tests) and HTTP (http-transport.ts).
 */
import type { PartyIndex } from './shamir.ts';

/** What travels between parties: the spec it belongs to, the round, and packed field elements. */
export type RoundMessage = {
  readonly specHash: string;
  readonly round: number;
  readonly from: PartyIndex;
  readonly to: PartyIndex;
  /** number of field elements (checked against the receiver's own expectation) */
  readonly count: number;
  readonly body: Uint8Array;
};

export type Transport = {
  /** Deliver `msg` to party `msg.to`. */
  send(msg: RoundMessage): Promise<void>;
  /** The message from `from` for `round`; rejects with MpcTimeoutError after `timeoutMs`. */
  receive(round: number, from: PartyIndex, timeoutMs: number): Promise<RoundMessage>;
  close(): Promise<void>;
};

export class MpcTimeoutError extends Error {
  override readonly name = 'MpcTimeoutError';
}
export class MpcMismatchError extends Error {
  override readonly name = 'MpcMismatchError';
}
export class MpcProtocolError extends Error {
  override readonly name = 'MpcProtocolError';
}

/** Mailbox keyed by (round, sender): delivery before or after the receiver asks both work. */
export class Mailbox {
  readonly #messages = new Map<string, RoundMessage>();
  readonly #waiters = new Map<string, (m: RoundMessage | Error) => void>();
  readonly #seen = new Set<string>();
  #failed: Error | undefined;

  /** A channel broke or was abused: every waiting and later take rejects with `e`. */
  fail(e: Error): void {
    if (this.#failed) return;
    this.#failed = e;
    for (const [key, waiter] of this.#waiters) {
      this.#waiters.delete(key);
      waiter(e);
    }
  }

  deliver(msg: RoundMessage): void {
    const key = `${msg.round}:${msg.from}`;
    if (this.#seen.has(key))
      throw new MpcProtocolError(`duplicate message for round ${msg.round} from ${msg.from}`);
    this.#seen.add(key);
    const waiter = this.#waiters.get(key);
    if (waiter) {
      this.#waiters.delete(key);
      waiter(msg);
    } else this.#messages.set(key, msg);
  }

  take(round: number, from: PartyIndex, timeoutMs: number): Promise<RoundMessage> {
    if (this.#failed) return Promise.reject(this.#failed);
    const key = `${round}:${from}`;
    const ready = this.#messages.get(key);
    if (ready) {
      this.#messages.delete(key);
      return Promise.resolve(ready);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(key);
        reject(
          new MpcTimeoutError(`no message from party ${from} for round ${round} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.#waiters.set(key, (m) => {
        clearTimeout(timer);
        if (m instanceof Error) reject(m);
        else resolve(m);
      });
    });
  }
}

/** Three in-process transports wired to each other (unit tests, single-process benchmarks). */
export function inProcessTransports(): [Transport, Transport, Transport] {
  const boxes = [new Mailbox(), new Mailbox(), new Mailbox()];
  const make = (me: PartyIndex): Transport => ({
    send: (msg) => {
      if (msg.from !== me) return Promise.reject(new MpcProtocolError('sender is not this party'));
      boxes[msg.to - 1]!.deliver(msg);
      return Promise.resolve();
    },
    receive: (round, from, timeoutMs) => boxes[me - 1]!.take(round, from, timeoutMs),
    close: () => Promise.resolve(),
  });
  return [make(1), make(2), make(3)];
}
