import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApps, variantEnv, VariantProcess } from './lib/child';
import type { StatsReply } from './lib/ipc';
import { LoadResult, runLoad } from './lib/load';
import { countLogLines } from './lib/log-lines';
import { PacedLoadResult, runPacedLoad } from './lib/paced-load';
import { BASELINES, designNotes, PHASES, PhaseName, PhaseSample, renderReport, RoundSample, RunInfo } from './lib/report';
import { httpSectionFor, nestReport, writeSection } from './lib/sections';
import { serviceCpuMicros } from './lib/service-cpu';
import { BenchResources } from './lib/resources';
import { machineInfo } from './lib/machine';
import { BASE_PORTS, ONLY_VARIANTS, positiveInt, SERVICE_URLS } from './lib/env-settings';

/** How a variant stores what it records, so the runner can count it. */
interface Variant {
  name: string;
  app: string;
  /**
   * Separate worker process (same schema and queue). It stands for a worker on another
   * machine, so it is started only after the load: on a 2-core machine, a worker running
   * during the load would take CPU from the API process and the load generator, and the run
   * would measure the machine rather than the API process.
   */
  worker?: string;
  /** PostgreSQL table (in the run's schema) and the column holding the request path. */
  table?: { name: string; pathColumn: string };
  /** Counts jobs left in the Bull queue instead of rows. */
  countsJobs?: boolean;
  /** Counts the lines of a JSON-lines file (BENCH_LOG_FILE) instead of rows; the field holding the request path. */
  logFile?: { pathField: string };
  /** The runner creates the schema (TypeORM's synchronize does not). */
  createSchema?: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'bare', app: 'bare' },
  { name: 'bare-fastify', app: 'bare-fastify' },
  { name: 'analytics', app: 'analytics', table: { name: 'api_access_logs', pathColumn: 'endpoint' } },
  { name: 'analytics-fastify', app: 'analytics-fastify', table: { name: 'api_access_logs', pathColumn: 'endpoint' } },
  {
    name: 'analytics-producer',
    app: 'analytics-producer',
    worker: 'analytics-worker',
    table: { name: 'api_access_logs', pathColumn: 'endpoint' },
  },
  {
    name: 'analytics-producer-fastify',
    app: 'analytics-producer-fastify',
    worker: 'analytics-worker',
    table: { name: 'api_access_logs', pathColumn: 'endpoint' },
  },
  {
    name: 'interceptor-typeorm',
    app: 'interceptor-typeorm',
    table: { name: 'request_logs', pathColumn: 'path' },
    createSchema: true,
  },
  { name: 'interceptor-bull', app: 'interceptor-bull', countsJobs: true },
  { name: 'pino-file', app: 'pino-file', logFile: { pathField: 'req.url' } },
  { name: 'calibration-finish', app: 'calibration-finish' },
  { name: 'calibration-context', app: 'calibration-context' },
];

const settings = {
  durationSeconds: positiveInt('BENCH_DURATION', 10),
  rounds: positiveInt('BENCH_ROUNDS', 3),
  warmupSeconds: positiveInt('BENCH_WARMUP', 3),
  connections: positiveInt('BENCH_CONNECTIONS', 50),
  fixedRate: positiveInt('BENCH_RATE', 1000),
  basePort: positiveInt('BENCH_PORT', BASE_PORTS.http),
  only: ONLY_VARIANTS,
  ...SERVICE_URLS,
};

const ROUTE_OF: Record<PhaseName, string> = { hello: '/hello', io: '/io', 'io-fixed': '/io' };
const START_TIMEOUT_MS = 60_000;
const FLUSH_TIMEOUT_MS = 180_000;
const COUNT_SETTLE_MS = 5_000;
const COUNT_MAX_WAIT_MS = 120_000;

async function main(): Promise<void> {
  const variants = settings.only.length ? VARIANTS.filter((v) => settings.only.includes(v.name)) : VARIANTS;
  if (!variants.some((v) => v.name === 'bare')) variants.unshift(VARIANTS[0]);
  // Fastify variants are compared with bare Fastify of the same round.
  if (variants.some((v) => v.name.endsWith('-fastify')) && !variants.some((v) => v.name === 'bare-fastify')) {
    variants.splice(1, 0, VARIANTS[1]);
  }
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const logDir = join(tmpdir(), `nestjs-analytics-bench-${runId}`);
  mkdirSync(logDir, { recursive: true });
  const buildDir = join(logDir, 'build');
  buildApps(buildDir);
  const resources = new BenchResources(settings.databaseUrl, settings.redisUrl);
  await resources.open();
  const started = new Date();
  const samples: RoundSample[] = [];
  try {
    const serverVersions = await resources.versions();
    console.log(`bench ${runId}: ${variants.map((v) => v.name).join(', ')}; ${settings.rounds} round(s) of ${settings.durationSeconds}s per phase; logs in ${logDir}`);
    for (let round = 1; round <= settings.rounds; round++) {
      for (const [index, variant] of variants.entries()) {
        const port = settings.basePort + index;
        const sample = await runVariant(variant, round, port, runId, logDir, buildDir, resources);
        samples.push(sample);
        console.log(summaryLine(sample));
      }
      // The baselines again at the end of the round: a variant is compared with the mean of
      // the two, so that a host drifting during the round moves both sides alike.
      for (const [index, baseline] of variants.filter((v) => BASELINES.includes(v.name)).entries()) {
        const port = settings.basePort + variants.length + index;
        const sample = await runVariant(baseline, round, port, runId, logDir, buildDir, resources, true);
        samples.push(sample);
        console.log(summaryLine(sample));
      }
    }
    const info: RunInfo = {
      machine: machineInfo(),
      serverVersions,
      started,
      finished: new Date(),
      settings: { ...settings, variants: variants.map((v) => v.name) },
    };
    const report = renderReport(info, samples);
    // A partial run (BENCH_VARIANTS) never replaces the full comparison in BENCHMARKS.md.
    const section = variants.length === VARIANTS.length ? httpSectionFor(process.versions.node) : undefined;
    if (section) {
      writeSection(section, section === 'http' ? report : nestReport(report, `The same on Node ${process.versions.node}`));
      writeSection('notes', designNotes());
    } else {
      mkdirSync(join(__dirname, 'results'), { recursive: true });
      writeFileSync(join(__dirname, 'results', 'http-partial.md'), report);
    }
    console.log(`\n${report}`);
    console.log(`${section ? `Wrote BENCHMARKS.md (section ${section})` : 'Partial run: wrote bench/results/http-partial.md'}; child logs in ${logDir}`);
  } finally {
    await resources.close();
  }
}

async function runVariant(
  variant: Variant,
  round: number,
  port: number,
  runId: string,
  logDir: string,
  buildDir: string,
  resources: BenchResources,
  closing = false,
): Promise<RoundSample> {
  const tag = `${variant.name.replace(/-/g, '_')}_${runId}_r${round}${closing ? '_end' : ''}`;
  const schema = variant.table ? await resources.schema(`bench_${tag}`, variant.createSchema ?? false) : undefined;
  const queue = variant.table || variant.countsJobs ? resources.queue(`bench-${tag}`) : undefined;
  const logFile = variant.logFile ? join(logDir, `${variant.name}-r${round}.ndjson`) : undefined;
  const env = variantEnv(port, settings, { schema, queue, logFile });
  let worker: VariantProcess | undefined;
  const api = new VariantProcess(variant.name, buildDir, variant.app, env, join(logDir, `${variant.name}-r${round}${closing ? '-end' : ''}.log`));
  const sample: RoundSample = { variant: variant.name, round, closing, phases: {}, sentByRoute: {}, completedByRoute: {}, persistedByRoute: {} };
  // The readiness probe (one GET /hello) is a request the app may record too.
  sample.sentByRoute['/hello'] = 1;
  sample.completedByRoute['/hello'] = 1;
  try {
    await api.ready(START_TIMEOUT_MS, port);
    const apiStart = await api.stats();
    const servicesStart = serviceCpuMicros();
    let completedTotal = 0;
    for (const phase of PHASES) {
      const route = ROUTE_OF[phase];
      const url = `http://127.0.0.1:${port}${route}`;
      const warm = await loadPhase(phase, url, settings.warmupSeconds);
      const before = await api.stats();
      const servicesBefore = serviceCpuMicros();
      const rss = new RssSampler([api]);
      const load = await loadPhase(phase, url, settings.durationSeconds);
      rss.stop();
      const servicesAfter = serviceCpuMicros();
      const after = await api.stats();
      sample.sentByRoute[route] = (sample.sentByRoute[route] ?? 0) + warm.sent + load.sent;
      sample.completedByRoute[route] = (sample.completedByRoute[route] ?? 0) + warm.completed + load.completed;
      completedTotal += warm.completed + load.completed;
      sample.phases[phase] = phaseSample(load, before, after, rss.peak(0), servicesAfter - servicesBefore);
    }
    // The records wait in Redis; now the "other machine" writes them.
    if (variant.worker) {
      worker = new VariantProcess(`${variant.name}/worker`, buildDir, variant.worker, env, join(logDir, `${variant.name}-worker-r${round}.log`));
      await worker.ready(START_TIMEOUT_MS);
    }
    const workerStart = await worker?.stats();
    const flushed = await api.flush(FLUSH_TIMEOUT_MS);
    // Up to here: the runner's row counts below would add PostgreSQL CPU of their own.
    sample.serviceCpuPerRequestAllMicros = (serviceCpuMicros() - servicesStart) / completedTotal;
    sample.flushMs = flushed.ms;
    sample.library = flushed.extra;
    if (variant.countsJobs) {
      sample.persistedTotal = Number(flushed.extra.jobs);
    } else if (variant.table && schema) {
      const sent = Object.values(sample.sentByRoute).reduce((a, b) => a + b, 0);
      const waited = Date.now();
      sample.persistedTotal = await settledCount(resources, schema, variant.table.name, sent);
      sample.countWaitMs = Date.now() - waited;
      for (const route of Object.keys(sample.sentByRoute)) {
        sample.persistedByRoute[route] = await resources.countWhere(schema, variant.table.name, variant.table.pathColumn, route);
      }
    } else if (variant.logFile && logFile) {
      const lines = await countLogLines(logFile, variant.logFile.pathField);
      sample.persistedTotal = lines.total;
      for (const route of Object.keys(sample.sentByRoute)) sample.persistedByRoute[route] = lines.byPath.get(route) ?? 0;
    }
    const apiEnd = await api.stats();
    const workerEnd = await worker?.stats();
    sample.workerLibrary = workerEnd?.extra;
    sample.peakRssMb = apiEnd.maxRssBytes / 2 ** 20;
    sample.workerPeakRssMb = workerEnd ? workerEnd.maxRssBytes / 2 ** 20 : undefined;
    const cpu = apiEnd.cpuMicros - apiStart.cpuMicros + (workerEnd && workerStart ? workerEnd.cpuMicros - workerStart.cpuMicros : 0);
    sample.cpuPerRequestAllMicros = cpu / completedTotal;
  } catch (err) {
    sample.error = (err as Error).message;
    console.error(`${variant.name} round ${round} failed: ${sample.error}`);
  } finally {
    await api.stop();
    await worker?.stop();
    await resources.release(schema, queue).catch((err: Error) => console.error(`cleanup: ${err.message}`));
    // Counted; a request log of several rounds would fill the temporary directory.
    if (logFile) rmSync(logFile, { force: true });
  }
  return sample;
}

/**
 * The flat-out phases use autocannon (closed loop, BENCH_CONNECTIONS connections); the
 * fixed-rate phase uses evenly spaced arrivals, timed from their schedule (lib/paced-load.ts).
 */
function loadPhase(phase: PhaseName, url: string, durationSeconds: number): Promise<LoadResult | PacedLoadResult> {
  return phase === 'io-fixed'
    ? runPacedLoad({ url, rate: settings.fixedRate, durationSeconds })
    : runLoad({ url, durationSeconds, connections: settings.connections });
}

function phaseSample(
  load: LoadResult | PacedLoadResult,
  before: StatsReply,
  after: StatsReply,
  peakRssBytes: number,
  serviceMicros: number,
): PhaseSample {
  return {
    rps: load.rps,
    p50: load.p50,
    p99: load.p99,
    sent: load.sent,
    completed: load.completed,
    non2xx: load.non2xx,
    errors: load.errors,
    timeouts: load.timeouts,
    sendLagP99: 'sendLagP99' in load ? load.sendLagP99 : undefined,
    cpuPerRequestMicros: (after.cpuMicros - before.cpuMicros) / load.completed,
    serviceCpuPerRequestMicros: serviceMicros / load.completed,
    peakRssMb: peakRssBytes / 2 ** 20,
  };
}

/** Polls the row count until it reaches `expected` or stops moving; bounded by COUNT_MAX_WAIT_MS. */
async function settledCount(resources: BenchResources, schema: string, table: string, expected: number): Promise<number> {
  const deadline = Date.now() + COUNT_MAX_WAIT_MS;
  let last = -1;
  let lastChange = Date.now();
  while (Date.now() < deadline) {
    const n = await resources.count(schema, table);
    if (n >= expected) return n;
    if (n !== last) {
      last = n;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= COUNT_SETTLE_MS) {
      return n;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}

/** Samples VmRSS of the processes every 200 ms during a phase. */
class RssSampler {
  private readonly peaks: number[];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly processes: VariantProcess[]) {
    this.peaks = processes.map((p) => p.rssBytes());
    this.timer = setInterval(() => this.sample(), 200);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  peak(index: number): number {
    return this.peaks[index] ?? NaN;
  }

  private sample(): void {
    this.processes.forEach((p, i) => {
      const rss = p.rssBytes();
      if (Number.isFinite(rss) && !(rss <= this.peaks[i])) this.peaks[i] = rss;
    });
  }
}

function summaryLine(s: RoundSample): string {
  const name = `${s.variant}${s.closing ? ' (end of round)' : ''}`;
  if (s.error) return `round ${s.round} ${name}: FAILED ${s.error}`;
  const p = (name: PhaseName) => s.phases[name];
  const persisted = s.persistedTotal === undefined ? '' : ` persisted ${s.persistedTotal}/${Object.values(s.sentByRoute).reduce((a, b) => a + b, 0)}`;
  return (
    `round ${s.round} ${name}: hello ${p('hello')?.rps.toFixed(0)} req/s p99 ${p('hello')?.p99.toFixed(2)} ms; ` +
    `io ${p('io')?.rps.toFixed(0)} req/s; io@${settings.fixedRate} p50 ${p('io-fixed')?.p50.toFixed(2)} p99 ${p('io-fixed')?.p99.toFixed(2)} ms ` +
    `(send lag p99 ${p('io-fixed')?.sendLagP99?.toFixed(2)} ms);${persisted}`
  );
}


main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exitCode = 1;
});
