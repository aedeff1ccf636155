import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  durationSeconds: number;
  connections: number;
  /** Stop after this many requests instead of after `durationSeconds`. */
  amount?: number;
  /** Requests per second across all connections; absent = as fast as the server answers. */
  overallRate?: number;
}

export interface LoadResult {
  /** Responses per second over the run (2xx and others). */
  rps: number;
  /** Requests written to a socket (what the server may have received). */
  sent: number;
  /** Responses received. */
  completed: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Latency percentiles in ms, from every response (not autocannon's 1 ms-resolution histogram). */
  p50: number;
  p99: number;
  seconds: number;
}

/**
 * Loads one URL with autocannon. Latencies are recorded here at sub-millisecond resolution
 * from autocannon's `response` events, because its own histogram keeps whole milliseconds.
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSeconds,
        amount: options.amount,
        pipelining: 1,
        overallRate: options.overallRate,
      },
      (err: Error | null, result: any) => {
        if (err) return reject(err);
        latencies.sort((a, b) => a - b);
        const completed = latencies.length;
        resolve({
          rps: completed / result.duration,
          sent: result.requests.sent - rateOvercount(options),
          completed,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          p50: percentile(latencies, 0.5),
          p99: percentile(latencies, 0.99),
          seconds: result.duration,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
    });
  });
}

/**
 * autocannon 8/9 counts each rate-limited connection's first requests as its whole
 * per-second quota (`totalRequests += url.rate` in lib/run.js) instead of one; undo that.
 */
function rateOvercount({ overallRate, connections }: LoadOptions): number {
  if (!overallRate) return 0;
  const clients = Math.min(connections, overallRate);
  let extra = 0;
  for (let i = 0; i < clients; i++) {
    const rate = Math.floor(overallRate / clients) + (i + 1 <= overallRate % clients ? 1 : 0);
    if (rate > 1) extra += rate - 1;
  }
  return extra;
}

/** Nearest-rank percentile of sorted values; NaN when empty. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Median of numbers (NaN ignored); NaN when none. */
export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
