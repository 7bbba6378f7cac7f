import { useEffect, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Point } from '../measurements.ts';
import { formatNumber, formatTime } from '../format.ts';

const dayMonth = new Intl.DateTimeFormat('nl-NL', {
  day: 'numeric',
  month: 'short',
  timeZone: 'Europe/Amsterdam',
});

/** A uPlot line chart (decorative: the table next to it carries the same data for screen readers). */
export function Chart({
  points,
  label,
  target,
}: {
  points: Point[];
  label: string;
  target?: { low?: number; high?: number };
}): ReactNode {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const width = Math.min(box.current.clientWidth || 320, 900);
    const xs = points.map((p) => p.time);
    const band = (v: number | undefined) => xs.map(() => v ?? null);
    const plot = new uPlot(
      {
        width,
        height: 220,
        series: [
          {},
          { label, stroke: '#0b4f8a', width: 2, points: { show: true } },
          { label: 'min', stroke: '#2e7d32', dash: [6, 4] },
          { label: 'max', stroke: '#a4000f', dash: [6, 4] },
        ],
        legend: { show: false },
        // Dutch axes: "7 dec." and 24-hour times, decimal commas (uPlot's default is US English).
        fmtDate: (template: string) => (date: Date) =>
          /\{h|\{H/.test(template) && !/\{D|\{M/.test(template) ? formatTime(date) : dayMonth.format(date),
        axes: [{}, { values: (_u: uPlot, ticks: number[]) => ticks.map((v) => formatNumber(v)) }],
      },
      [xs, points.map((p) => p.value), band(target?.low), band(target?.high)],
      box.current,
    );
    return () => plot.destroy();
  }, [points, label, target]);
  return <div ref={box} aria-hidden="true" className="chart" />;
}
