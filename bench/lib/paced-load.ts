import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { LoadResult, percentile } from './load';

export interface PacedLoadOptions {
  url: string;
  /** Requests per second, issued at evenly spaced times. */
  rate: number;
  durationSeconds: number;
  /**
   * Keep-alive sockets the requests share. A request finding all of them busy waits in the
   * agent, and that wait counts in its latency.
   * @default 64
   */
  maxSockets?: number;
  /**
   * A request that has been silent this long (socket idle) is aborted and counted as a timeout.
   * @default 10_000
   */
  timeoutMs?: number;
}

export interface PacedLoadResult extends LoadResult {
  /** How late the generator itself issued requests behind their schedule, ms: its own jitter. */
  sendLagP50: number;
  sendLagP99: number;
}

/** Farther than this from the next send, the loop sleeps on a timer instead of spinning. */
const SLEEP_ABOVE_MS = 2;

/**
 * Open-loop load at a fixed rate with evenly spaced arrivals: request i is due at
 * start + i / rate, whether or not earlier requests have been answered.
 *
 * Latency is measured from the request's *scheduled* time, not from when it was written.
 * A generator that measures from the actual send hides a stalled server: while the server
 * (or this process) is stuck, requests are not sent, so the stall is charged to one request
 * instead of to all those that should have been sent during it ("coordinated omission").
 * The flip side is that the generator's own lateness counts too; it is reported as
 * `sendLagP50`/`sendLagP99` so it can be told apart from the server's.
 *
 * Node's timers have whole-millisecond resolution and a sleeping process takes a while to
 * wake, so close to a send the loop re-arms itself with `setImmediate` (one busy core in the
 * runner at 1,000 req/s) and sleeps on a timer only while the next send is more than
 * SLEEP_ABOVE_MS away. Each turn sends every request whose time has passed: a late turn
 * catches up instead of shifting the schedule. Against a plain `node:http` server at
 * 1,000 req/s on the 2-core bench machine the send lag p99 was 0.14–0.6 ms this way, against
 * 1.5–3.5 ms with `setTimeout` alone and 1.5–2.3 ms with a worker thread sleeping in
 * `Atomics.wait` and posting ticks.
 */
export function runPacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const { url, rate, durationSeconds } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  const total = Math.round(rate * durationSeconds);
  const intervalMs = 1000 / rate;
  const latencies: number[] = [];
  const lags: number[] = [];
  const counts = { sent: 0, settled: 0, non2xx: 0, errors: 0, timeouts: 0 };

  return new Promise((resolve) => {
    let issued = 0;
    const start = performance.now();

    const finish = () => {
      agent.destroy();
      latencies.sort((a, b) => a - b);
      lags.sort((a, b) => a - b);
      resolve({
        rps: latencies.length / durationSeconds,
        sent: counts.sent,
        completed: latencies.length,
        non2xx: counts.non2xx,
        errors: counts.errors,
        timeouts: counts.timeouts,
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
        seconds: durationSeconds,
        sendLagP50: percentile(lags, 0.5),
        sendLagP99: percentile(lags, 0.99),
      });
    };

    const settle = () => {
      counts.settled++;
      if (issued === total && counts.settled === total) finish();
    };

    const send = (scheduled: number) => {
      lags.push(performance.now() - scheduled);
      let settled = false;
      const once = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        outcome();
        settle();
      };
      const req = request(url, { agent, timeout: timeoutMs }, (res) => {
        res.resume();
        res.on('end', () =>
          once(() => {
            latencies.push(performance.now() - scheduled);
            if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) counts.non2xx++;
          }),
        );
        res.on('error', () => once(() => counts.errors++));
      });
      req.on('finish', () => counts.sent++);
      req.on('timeout', () => {
        once(() => counts.timeouts++);
        req.destroy();
      });
      req.on('error', () => once(() => counts.errors++));
      req.end();
    };

    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
      while (issued < due) send(start + issued++ * intervalMs);
      if (issued >= total) return;
      const wait = start + issued * intervalMs - performance.now();
      if (wait > SLEEP_ABOVE_MS) setTimeout(tick, Math.floor(wait - SLEEP_ABOVE_MS));
      else setImmediate(tick);
    };

    if (total === 0) finish();
    else tick();
  });
}
