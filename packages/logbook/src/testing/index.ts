// Test-only helpers of the logbook (deterministic log keys, sequencer options), kept out of the
// package's main entry so production code cannot reach them.
export { testLogKey, testLogOptions, type TestLogKey } from './log-keys.ts';
