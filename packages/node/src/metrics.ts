/** Prometheus text-format metrics for one node: request counts and a latency histogram per route. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class Metrics {
  readonly #requests = new Map<string, number>();
  readonly #latency = new Map<string, { buckets: number[]; sum: number; count: number }>();
  readonly #collectors: (() => readonly string[])[] = [];

  /** Adds metric lines (with their HELP/TYPE) computed at each scrape, e.g. the logbook's sizes. */
  collect(collector: () => readonly string[]): void {
    this.#collectors.push(collector);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${method}",route="${route}",status="${status}"`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    const lkey = `method="${method}",route="${route}"`;
    let h = this.#latency.get(lkey);
    if (!h) this.#latency.set(lkey, (h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    const { buckets } = h;
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) buckets[i] = (buckets[i] ?? 0) + 1;
    });
    h.sum += seconds;
    h.count++;
  }

  render(): string {
    const lines = [
      '# HELP ketenlog_http_requests_total HTTP requests by method, route and status.',
      '# TYPE ketenlog_http_requests_total counter',
    ];
    for (const [k, v] of this.#requests) lines.push(`ketenlog_http_requests_total{${k}} ${v}`);
    lines.push(
      '# HELP ketenlog_http_request_duration_seconds HTTP request latency.',
      '# TYPE ketenlog_http_request_duration_seconds histogram',
    );
    for (const [k, h] of this.#latency) {
      BUCKETS.forEach((b, i) =>
        lines.push(`ketenlog_http_request_duration_seconds_bucket{${k},le="${b}"} ${h.buckets[i]}`),
      );
      lines.push(`ketenlog_http_request_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`);
      lines.push(`ketenlog_http_request_duration_seconds_sum{${k}} ${h.sum}`);
      lines.push(`ketenlog_http_request_duration_seconds_count{${k}} ${h.count}`);
    }
    for (const collector of this.#collectors) lines.push(...collector());
    // RSS alone cannot tell a leak from a heap V8 has not shrunk yet or C memory malloc keeps:
    // the JS heap and the memory held for Buffers and ArrayBuffers are shown apart (prom-client's
    // names).
    const memory = process.memoryUsage();
    lines.push(
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${memory.rss}`,
      '# TYPE nodejs_heap_size_total_bytes gauge',
      `nodejs_heap_size_total_bytes ${memory.heapTotal}`,
      '# TYPE nodejs_heap_size_used_bytes gauge',
      `nodejs_heap_size_used_bytes ${memory.heapUsed}`,
      '# TYPE nodejs_external_memory_bytes gauge',
      `nodejs_external_memory_bytes ${memory.external}`,
    );
    return lines.join('\n') + '\n';
  }
}
