import { describe, expect, it } from 'vitest';
import { progressReporter, type ProgressStream } from './progress.ts';

function recorder(isTTY: boolean): ProgressStream & { output: string[] } {
  const output: string[] = [];
  return { isTTY, columns: 100, output, write: (text: string) => output.push(text) };
}

describe('progressReporter', () => {
  it('redraws a bar in place on a terminal and ends it with a newline', () => {
    let clock = 0;
    const stream = recorder(true);
    const report = progressReporter(stream, { now: () => clock });
    report(0, 4);
    clock = 50;
    report(1, 4); // too soon after the last redraw
    clock = 1000;
    report(2, 4);
    clock = 2000;
    report(4, 4);
    expect(stream.output).toHaveLength(3);
    expect(stream.output.every((line) => line.startsWith('\r['))).toBe(true);
    expect(stream.output[1]).toContain(
      '[' + '#'.repeat(15) + '-'.repeat(15) + '] 2/4 files (50%), 2 files/s, 1 s left',
    );
    expect(stream.output[2]).toMatch(/^\r\[#{30}\] 4\/4 files \(100%\), 2 files\/s *\n$/);
  });

  it('writes a plain line about every two seconds elsewhere, and always the last one', () => {
    let clock = 0;
    const stream = recorder(false);
    const report = progressReporter(stream, { now: () => clock, unit: 'resources' });
    for (let done = 0; done <= 10; done++) {
      clock = done * 500;
      report(done, 10);
    }
    report(10, 10);
    expect(stream.output).toEqual([
      '0/10 resources (0%), 0 resources/s\n',
      '4/10 resources (40%), 2 resources/s, 3 s left\n',
      '8/10 resources (80%), 2 resources/s, 1 s left\n',
      '10/10 resources (100%), 2 resources/s\n',
    ]);
  });
});
