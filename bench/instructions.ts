import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callgrindAvailable, callgrindLauncher, dumpInstructions, optimizingCompilerInstructions, setInstrumentation, totalInstructions } from './lib/callgrind';
import { buildApps, variantEnv, VariantProcess } from './lib/child';
import { BASE_PORTS, ONLY_VARIANTS, positiveInt, SERVICE_URLS } from './lib/env-settings';
import { median, runLoad } from './lib/load';
import { machineInfo } from './lib/machine';
import { BenchResources } from './lib/resources';
import { writeSection } from './lib/sections';

/**
 * `npm run bench:instructions`: what each variant costs per GET /hello in CPU
 * instructions, counted by valgrind's callgrind. Unlike req/s, the count is the same from
 * one run to the next however noisy the machine is, so a change of a few per cent on the
 * hot path can be measured. Writes the `instructions` section of BENCHMARKS.md.
 */
interface CountedVariant {
  name: string;
  app: string;
  /** The variant it is compared with (bare NestJS on the same platform). */
  baseline: string;
  /** Needs a schema and a queue of its own. */
  schema?: 'app' | 'runner';
  queue?: boolean;
  logFile?: boolean;
}

const VARIANTS: CountedVariant[] = [
  { name: 'bare', app: 'bare', baseline: 'bare' },
  { name: 'calibration-finish', app: 'calibration-finish', baseline: 'bare' },
  { name: 'calibration-context', app: 'calibration-context', baseline: 'bare' },
  { name: 'analytics-producer', app: 'analytics-producer', baseline: 'bare', schema: 'app', queue: true },
  { name: 'analytics', app: 'analytics', baseline: 'bare', schema: 'app', queue: true },
  { name: 'pino-file', app: 'pino-file', baseline: 'bare', logFile: true },
  { name: 'interceptor-bull', app: 'interceptor-bull', baseline: 'bare', queue: true },
  { name: 'interceptor-typeorm', app: 'interceptor-typeorm', baseline: 'bare', schema: 'runner', queue: true },
  { name: 'bare-fastify', app: 'bare-fastify', baseline: 'bare-fastify' },
  { name: 'calibration-context-fastify', app: 'calibration-context-fastify', baseline: 'bare-fastify' },
  { name: 'analytics-fastify', app: 'analytics-fastify', baseline: 'bare-fastify', schema: 'app', queue: true },
];

const settings = {
  rounds: positiveInt('BENCH_ROUNDS', 1),
  /** Requests before counting starts: V8 compiles the hot path during these. */
  warmupRequests: positiveInt('BENCH_WARMUP_REQUESTS', 8000),
  measuredRequests: positiveInt('BENCH_REQUESTS', 6000),
  connections: positiveInt('BENCH_CONNECTIONS', 10),
  basePort: positiveInt('BENCH_PORT', BASE_PORTS.instructions),
  only: ONLY_VARIANTS,
  ...SERVICE_URLS,
};

/**
 * V8 compiles and collects garbage on background threads, which valgrind runs one at a
 * time in an order that varies; on the main thread the counts repeat within about 1 %.
 */
const NODE_ARGS = '--single-threaded';
/** Everything is about 50 times slower under valgrind: starting an app with TypeORM takes a while. */
const START_TIMEOUT_MS = 300_000;

async function main(): Promise<void> {
  if (!callgrindAvailable()) {
    throw new Error('bench:instructions needs valgrind (Debian: apt-get install valgrind), which provides callgrind_control too');
  }
  const variants = settings.only.length ? VARIANTS.filter((v) => settings.only.includes(v.name) || VARIANTS.some((o) => o.baseline === v.name && settings.only.includes(o.name))) : VARIANTS;
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const dir = join(tmpdir(), `nestjs-analytics-instructions-${runId}`);
  const buildDir = join(dir, 'build');
  mkdirSync(dir, { recursive: true });
  buildApps(buildDir);
  const resources = new BenchResources(settings.databaseUrl, settings.redisUrl);
  await resources.open();
  const started = new Date();
  const counts = new Map<string, Count[]>(variants.map((v) => [v.name, []]));
  try {
    console.log(`instructions ${runId}: ${variants.map((v) => v.name).join(', ')}; ${settings.rounds} round(s) of ${settings.measuredRequests} requests; files in ${dir}`);
    const batchPath = countBatchPath(buildDir, dir);
    console.log(`batch path, per record: ${BATCH_STEPS.map((s) => `${s.step} ${Math.round(batchPath.get(s.step)!)}`).join(', ')}`);
    for (let round = 1; round <= settings.rounds; round++) {
      for (const [index, variant] of variants.entries()) {
        // A failed variant is reported as such; the others are still counted.
        const count = await countOnce(variant, round, settings.basePort + index, runId, dir, buildDir, resources).catch((err: Error) => {
          console.error(`round ${round} ${variant.name} failed: ${err.message}`);
          return { all: NaN, compiler: NaN };
        });
        counts.get(variant.name)!.push(count);
        if (Number.isFinite(count.all)) {
          console.log(`round ${round} ${variant.name}: ${Math.round(count.all).toLocaleString('en-US')} instructions per request, ${Math.round(count.compiler).toLocaleString('en-US')} of them in the optimizing compiler`);
        }
      }
    }
    const report = renderInstructions(variants, counts, batchPath, started, new Date());
    if (variants.length === VARIANTS.length) writeSection('instructions', report);
    console.log(`\n${report}\n${variants.length === VARIANTS.length ? 'Wrote the instructions section of BENCHMARKS.md' : 'Partial run (BENCH_VARIANTS): BENCHMARKS.md left as it is'}; files in ${dir}`);
  } finally {
    await resources.close();
  }
}

/** Instructions per request of one variant in one round: all of them, and those of V8's optimizing compiler. */
interface Count {
  all: number;
  compiler: number;
}

/** Instructions per request of one variant: counted over `measuredRequests` after the warm-up. */
async function countOnce(
  variant: CountedVariant,
  round: number,
  port: number,
  runId: string,
  dir: string,
  buildDir: string,
  resources: BenchResources,
): Promise<Count> {
  const tag = `${variant.name.replace(/-/g, '_')}_${runId}_r${round}`;
  const schema = variant.schema ? await resources.schema(`instr_${tag}`, variant.schema === 'runner') : undefined;
  const queue = variant.queue ? resources.queue(`instr-${tag}`) : undefined;
  const logFile = variant.logFile ? join(dir, `${variant.name}-r${round}.ndjson`) : '';
  const outFile = join(dir, `${variant.name}-r${round}.callgrind`);
  const api = new VariantProcess(
    variant.name,
    buildDir,
    variant.app,
    variantEnv(port, settings, { schema, queue, logFile, nodeArgs: NODE_ARGS }),
    join(dir, `${variant.name}-r${round}.log`),
    callgrindLauncher(outFile),
  );
  try {
    await api.ready(START_TIMEOUT_MS, port);
    const url = `http://127.0.0.1:${port}/hello`;
    const load = (amount: number) => runLoad({ url, durationSeconds: 3600, amount, connections: settings.connections });
    await load(settings.warmupRequests);
    setInstrumentation(api.pid, true);
    const measured = await load(settings.measuredRequests);
    setInstrumentation(api.pid, false);
    if (measured.completed === 0 || measured.non2xx > 0 || measured.errors > 0) {
      throw new Error(`${variant.name}: ${measured.completed} responses, ${measured.non2xx} not 2xx, ${measured.errors} errors`);
    }
    const all = await dumpInstructions(api.pid, outFile);
    const compiler = optimizingCompilerInstructions(readFileSync(`${outFile}.1`, 'utf8'));
    return { all: all / measured.completed, compiler: compiler / measured.completed };
  } finally {
    await api.stop(120_000);
    await resources.release(schema, queue).catch((err: Error) => console.error(`cleanup: ${err.message}`));
    if (logFile) rmSync(logFile, { force: true });
  }
}

/** The steps of bench/apps/batch-path.ts, each counted as what it adds to the one before. */
const BATCH_STEPS = [
  { step: 'states', label: "the finished request's state, as the request path leaves it in the buffer" },
  { step: 'encode', label: 'building its row (id, timestamp, truncation) and the job\'s column layout' },
  { step: 'stringify', label: "`JSON.stringify` of the job payload, as Bull's `Job.toData` does" },
] as const;

/**
 * Instructions per record of each step of the batch path, without HTTP or Redis: one
 * CPU-bound process counts each step in a window of its own (a dump per step).
 */
function countBatchPath(buildDir: string, dir: string): Map<string, number> {
  const outFile = join(dir, 'batch-path.callgrind');
  const [command, ...args] = [...callgrindLauncher(outFile), process.execPath, NODE_ARGS, join(buildDir, 'bench', 'apps', 'batch-path.js')];
  const output = execFileSync(command, args, {
    env: { ...process.env, NODE_PATH: join(__dirname, '..', 'node_modules') },
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  const { steps, recordsPerStep } = JSON.parse(output.trim().split('\n').pop()!) as { steps: string[]; recordsPerStep: number };
  const perStep = new Map<string, number>();
  let previous = 0;
  steps.forEach((step, i) => {
    const total = totalInstructions(readFileSync(`${outFile}.${i + 1}`, 'utf8')) / recordsPerStep;
    perStep.set(step, total - previous);
    previous = total;
  });
  return perStep;
}

function renderInstructions(variants: CountedVariant[], counts: Map<string, Count[]>, batchPath: Map<string, number>, started: Date, finished: Date): string {
  const machine = machineInfo();
  const of = (name: string, part: (c: Count) => number) => median((counts.get(name) ?? []).map(part));
  const all = (c: Count) => c.all;
  const steady = (c: Count) => c.all - c.compiler;
  const thousands = (n: number) => `${(n / 1000).toFixed(0)}k`;
  const out: string[] = [];
  out.push('## Instructions per request (callgrind, GET /hello)', '');
  out.push(
    `_Generated by \`npm run bench:instructions\` (bench/instructions.ts) on ${started.toISOString()} → ${finished.toISOString()}: ${machine.nproc} × ${machine.cpuModel}, Node ${machine.node} with \`${NODE_ARGS}\`, valgrind's callgrind, commit ${machine.commit}._`,
    '',
  );
  out.push(
    `Each variant runs under \`valgrind --tool=callgrind\`; after ${settings.warmupRequests.toLocaleString('en-US')} warm-up requests, the instructions the process executes while it serves ${settings.measuredRequests.toLocaleString('en-US')} more (autocannon, ${settings.connections} connections) are divided by the responses.`,
    'Unlike req/s, these counts hardly depend on what else the machine is doing: bare and the yardsticks repeat within about 1 %, variants that talk to Redis or PostgreSQL within a few per cent (their batches and queries fall differently from run to run; see the rounds column).',
    'They leave out time in the kernel (socket reads and writes, the same for every variant) and cache misses, and under valgrind the process runs about 50 times slower, so the batches sent to Redis are smaller than under full load.',
    '"× bare" is the baseline\'s count divided by the variant\'s: the req/s ratio a CPU-bound process would reach if every instruction cost the same.',
    "\"Steady\" leaves out the instructions of V8's optimizing compiler (calls into `Runtime_CompileOptimized`, which `--single-threaded` runs on the main thread). The module's batch path runs once per batch, not once per request, so its functions reach the compiler's thresholds late and more of their compiles fall in the counted window than a long run has: outside valgrind, after 300,000 warm-up requests, V8 still optimized about 10 functions per 100,000 requests in bare Express, about 30 with the module (producer-only) and about 35 in bare Fastify and with the module on Fastify, where a counted window of the module holds 15 or more compiles in 6,000 requests.",
    '',
  );
  const rounds = settings.rounds > 1;
  out.push(
    `| variant | instructions per request | × bare | over bare | steady | × bare, steady${rounds ? ' | rounds' : ''} |`,
    `|---|---:|---:|---:|---:|---:${rounds ? '|---' : ''}|`,
  );
  for (const variant of variants) {
    const value = of(variant.name, all);
    if (!Number.isFinite(value)) {
      out.push(`| ${variant.name} | failed (see the log in the run's directory) | | | | |${rounds ? ' |' : ''}`);
      continue;
    }
    const base = of(variant.baseline, all);
    const steadyValue = of(variant.name, steady);
    const steadyBase = of(variant.baseline, steady);
    const self = variant.name === variant.baseline;
    const ratio = (b: number, v: number) => (self ? '1.00' : (b / v).toFixed(2));
    const over = self ? '—' : `${value - base >= 0 ? '+' : ''}${thousands(value - base)}`;
    const label = variant.baseline === variant.name || variant.baseline === 'bare' ? variant.name : `${variant.name} (vs ${variant.baseline})`;
    const each = rounds ? ` | ${(counts.get(variant.name) ?? []).map((c) => (Number.isFinite(c.all) ? thousands(c.all) : 'failed')).join(', ')}` : '';
    out.push(
      `| ${label} | ${Math.round(value).toLocaleString('en-US')} | ${ratio(base, value)} | ${over} | ${Math.round(steadyValue).toLocaleString('en-US')} | ${ratio(steadyBase, steadyValue)}${each} |`,
    );
  }
  out.push(
    '',
    'The batch path, per record, counted apart (bench/apps/batch-path.ts: 100-record batches of finished GET /hello requests, no HTTP, no Redis; a CPU-bound loop, so these counts repeat within 0.3 %):',
    '',
    '| step | instructions per record |',
    '|---|---:|',
  );
  for (const { step, label } of BATCH_STEPS) out.push(`| ${label} | ${Math.round(batchPath.get(step)!).toLocaleString('en-US')} |`);
  return out.join('\n');
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exitCode = 1;
});
