// The region's rules as a validating witness applies them to each new log entry before it
// co-signs: the witness machinery lives here, the rules (keys, roles, entitlements) live with the
// region configuration and state, which implement this interface.

/** The log an entry belongs to: its id within the node and its checkpoint origin line. */
export interface LogRef {
  readonly logId: string;
  readonly origin: string;
}

export type PolicyVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface EntryPolicy {
  /**
   * Judges entry `index` of `log`, given every entry accepted before it (in this log and in the
   * other logs the node follows). Does not change state. A witness calls check and then accept
   * for each new entry in log order, and refuses to co-sign a checkpoint when any entry up to its
   * size fails (entries before the failing one stay accepted: they are valid and in the log).
   */
  check(log: LogRef, index: number, entry: Uint8Array): PolicyVerdict;
  /** Records an entry the witness accepted, so later checks see it (e.g. a key rotation). */
  accept(log: LogRef, index: number, entry: Uint8Array): void;
}
