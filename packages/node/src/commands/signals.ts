/** Closes a running node on Ctrl+C or SIGTERM, then exits (1 when closing failed). */
export function stopOnSignals(node: { close(): Promise<void> }): void {
  const stop = (): void => {
    node.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
