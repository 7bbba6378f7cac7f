/** Where progress goes: a terminal (`isTTY`) gets a bar redrawn in place, anything else lines. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** What is counted, for the text: "files" unless told. */
  unit?: string;
  /** Clock in ms; Date.now unless told (tests pass their own). */
  now?: () => number;
}

/** A log line at most this often when the stream is not a terminal (ms). */
const LINE_INTERVAL_MS = 2000;
/** A terminal bar is redrawn at most this often (ms): redrawing per file would cost more than the work. */
const BAR_INTERVAL_MS = 100;
const BAR_WIDTH = 30;

/**
 * A progress callback for `importPaths`' `onProgress(done, total)`. On a terminal it draws a bar
 * updated in place with `\r`; elsewhere (a log file, CI) it writes a plain line every ~2 s. Both
 * always show the final state, ending with a newline.
 */
export function progressReporter(
  stream: ProgressStream,
  options: ProgressOptions = {},
): (done: number, total: number) => void {
  const unit = options.unit ?? 'files';
  const now = options.now ?? Date.now;
  const started = now();
  const interval = stream.isTTY ? BAR_INTERVAL_MS : LINE_INTERVAL_MS;
  let shown = -Infinity;
  let finished = false;
  return (done, total) => {
    if (finished) return;
    const time = now();
    const last = done >= total;
    if (!last && time - shown < interval) return;
    shown = time;
    finished = last;
    const status = describeProgress(done, total, unit, time - started);
    if (stream.isTTY) {
      const line = `${bar(done, total)} ${status}`;
      // Pad to the terminal width so a shorter line wipes out the end of the previous one.
      stream.write(`\r${line.padEnd(Math.min(stream.columns ?? 80, 200) - 1)}${last ? '\n' : ''}`);
    } else {
      stream.write(`${status}\n`);
    }
  };
}

function bar(done: number, total: number): string {
  const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
}

function describeProgress(done: number, total: number, unit: string, elapsedMs: number): string {
  const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(done / seconds) : 0;
  const parts = [`${done}/${total} ${unit} (${percent}%)`, `${rate} ${unit}/s`];
  if (done < total && rate > 0) parts.push(`${Math.ceil((total - done) / rate)} s left`);
  return parts.join(', ');
}
