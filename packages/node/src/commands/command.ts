/** One `ketenlog` command: its name, a one-line summary for the overview, its --help and its run. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  /** Runs the command; the number (default 0) is the process exit code. */
  run(args: string[]): Promise<number | void>;
}

/** A mistake in how the command was called: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
