import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApps, variantEnv, VariantProcess } from './lib/child';
import { Component, COMPONENTS, CpuProfile, selfTimeByComponent } from './lib/cpu-profile';
import { runLoad } from './lib/load';
import { machineInfo } from './lib/machine';
import { BASE_PORTS, positiveInt, SERVICE_URLS } from './lib/env-settings';
import { BenchResources } from './lib/resources';
import { writeSection } from './lib/sections';

/**
 * `npm run bench:profile`: where each request's CPU goes. Every variant serves GET /hello
 * flat out under `node --cpu-prof`; the samples of the measured window are summed by
 * component (the module's own code, AsyncLocalStorage, Bull, Express, GC…) and divided by
 * the responses, so the table says how many µs of a request each part costs, and what a
 * variant adds over bare NestJS. Writes the `profile` section of BENCHMARKS.md (with
 * `BENCH_PROFILE_PLATFORM=fastify`, the same on Fastify: the `profile-fastify` section).
 */
interface ProfiledVariant {
  name: string;
  app: string;
  /** Needs its own schema and queue (the analytics variants). */
  analytics?: boolean;
}

/** `BENCH_PROFILE_PLATFORM=fastify` profiles the same four on the Fastify adapter instead. */
const PLATFORM = process.env.BENCH_PROFILE_PLATFORM === 'fastify' ? 'fastify' : 'express';

const VARIANTS: ProfiledVariant[] =
  PLATFORM === 'express'
    ? [
        { name: 'bare', app: 'bare' },
        { name: 'calibration-context', app: 'calibration-context' },
        { name: 'analytics-producer', app: 'analytics-producer', analytics: true },
        { name: 'analytics', app: 'analytics', analytics: true },
      ]
    : [
        { name: 'bare-fastify', app: 'bare-fastify' },
        { name: 'calibration-context-fastify', app: 'calibration-context-fastify' },
        { name: 'analytics-producer-fastify', app: 'analytics-producer-fastify', analytics: true },
        { name: 'analytics-fastify', app: 'analytics-fastify', analytics: true },
      ];
/** The variant every other one is compared with. */
const BASELINE = VARIANTS[0].name;
const SECTION = PLATFORM === 'express' ? 'profile' : 'profile-fastify';

const settings = {
  rounds: positiveInt('BENCH_ROUNDS', 2),
  durationSeconds: positiveInt('BENCH_DURATION', 10),
  warmupSeconds: positiveInt('BENCH_WARMUP', 3),
  connections: positiveInt('BENCH_CONNECTIONS', 50),
  /** Sampling interval of the profiler, µs. */
  intervalMicros: positiveInt('BENCH_PROFILE_INTERVAL', 500),
  basePort: positiveInt('BENCH_PORT', BASE_PORTS.profile),
  ...SERVICE_URLS,
};

/** A variant's profiles summed over rounds. */
interface Totals {
  micros: Map<Component, number>;
  responses: number;
  /** CPU of the process over the measured window (from `process.cpuUsage()`), µs. */
  cpuMicros: number;
}

async function main(): Promise<void> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const dir = join(tmpdir(), `nestjs-analytics-profile-${runId}`);
  const buildDir = join(dir, 'build');
  mkdirSync(dir, { recursive: true });
  buildApps(buildDir);
  const ownSource = join(buildDir, 'src');
  const resources = new BenchResources(settings.databaseUrl, settings.redisUrl);
  await resources.open();
  const started = new Date();
  const totals = new Map<string, Totals>(VARIANTS.map((v) => [v.name, { micros: new Map(), responses: 0, cpuMicros: 0 }]));
  try {
    console.log(`profile ${runId}: ${VARIANTS.map((v) => v.name).join(', ')}; ${settings.rounds} round(s) of ${settings.durationSeconds}s; files in ${dir}`);
    for (let round = 1; round <= settings.rounds; round++) {
      for (const [index, variant] of VARIANTS.entries()) {
        const result = await profileOnce(variant, round, settings.basePort + index, runId, dir, buildDir, ownSource, resources);
        const total = totals.get(variant.name)!;
        total.responses += result.responses;
        total.cpuMicros += result.cpuMicros;
        for (const [component, micros] of result.micros) total.micros.set(component, (total.micros.get(component) ?? 0) + micros);
        console.log(`round ${round} ${variant.name}: ${result.responses} responses, ${(result.cpuMicros / result.responses).toFixed(1)} µs CPU per request`);
      }
    }
    const report = renderProfile(totals, started, new Date());
    writeSection(SECTION, report);
    console.log(`\n${report}\nWrote the ${SECTION} section of BENCHMARKS.md; profiles in ${dir}`);
  } finally {
    await resources.close();
  }
}

async function profileOnce(
  variant: ProfiledVariant,
  round: number,
  port: number,
  runId: string,
  dir: string,
  buildDir: string,
  ownSource: string,
  resources: BenchResources,
): Promise<{ micros: Map<Component, number>; responses: number; cpuMicros: number }> {
  const tag = `${variant.name.replace(/-/g, '_')}_${runId}_r${round}`;
  const schema = variant.analytics ? await resources.schema(`profile_${tag}`, false) : undefined;
  const queue = variant.analytics ? resources.queue(`profile-${tag}`) : undefined;
  const profileDir = join(dir, `${variant.name}-r${round}`);
  const api = new VariantProcess(
    variant.name,
    buildDir,
    variant.app,
    variantEnv(port, settings, { schema, queue, nodeArgs: `--cpu-prof --cpu-prof-dir=${profileDir} --cpu-prof-interval=${settings.intervalMicros}` }),
    join(dir, `${variant.name}-r${round}.log`),
  );
  try {
    await api.ready(60_000, port);
    const url = `http://127.0.0.1:${port}/hello`;
    await runLoad({ url, durationSeconds: settings.warmupSeconds, connections: settings.connections });
    const before = await api.stats();
    // The profile's timestamps and process.hrtime read the same monotonic clock.
    const from = monotonicMicros();
    const load = await runLoad({ url, durationSeconds: settings.durationSeconds, connections: settings.connections });
    const to = monotonicMicros();
    const after = await api.stats();
    await api.stop();
    // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: the main thread's (id 0) serves
    // the requests; a worker thread (the default options' worker) writes its own profile.
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0');
    if (!file) throw new Error(`${variant.name} wrote no profile in ${profileDir}`);
    const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
    return { micros: selfTimeByComponent(profile, from, to, ownSource), responses: load.completed, cpuMicros: after.cpuMicros - before.cpuMicros };
  } finally {
    await api.stop();
    await resources.release(schema, queue).catch((err: Error) => console.error(`cleanup: ${err.message}`));
  }
}

function renderProfile(totals: Map<string, Totals>, started: Date, finished: Date): string {
  const machine = machineInfo();
  const names = VARIANTS.map((v) => v.name);
  const perRequest = (name: string, component: Component) => {
    const t = totals.get(name)!;
    return (t.micros.get(component) ?? 0) / t.responses;
  };
  const sampled = (name: string) => COMPONENTS.reduce((sum, c) => sum + perRequest(name, c), 0);
  const cell = (name: string, value: number, bare: number) =>
    name === BASELINE ? value.toFixed(1) : `${value.toFixed(1)} (${value - bare >= 0 ? '+' : ''}${(value - bare).toFixed(1)})`;
  const out: string[] = [];
  out.push(`## Where the time goes (CPU profiles of GET /hello${PLATFORM === 'fastify' ? ', on Fastify' : ''})`, '');
  out.push(
    `_Generated by \`npm run bench:profile\` (bench/profile.ts) on ${started.toISOString()} → ${finished.toISOString()}: ${machine.nproc} × ${machine.cpuModel}, Node ${machine.node}, commit ${machine.commit}._`,
    '',
  );
  out.push(
    `Each variant serves GET /hello flat out (autocannon, ${settings.connections} connections) under \`node --cpu-prof\` (one sample every ${settings.intervalMicros} µs), ${settings.rounds} round(s) of ${settings.durationSeconds} s after a ${settings.warmupSeconds} s warm-up, variants alternating.`,
    "Each sample's own (self) time is counted to the component its function belongs to; the sums over the measured windows are divided by the responses.",
    `Cells are µs of the API process's main thread per request, and in brackets the difference from ${BASELINE}; the last row, \`process.cpuUsage\`, is the whole process, the worker thread of default options included.`,
    'The profiler itself slows every variant a little; compare rows across variants, not with the throughput tables.',
    '',
  );
  out.push(`| component | ${names.join(' | ')} |`, `|---|${names.map(() => '---:').join('|')}|`);
  for (const component of COMPONENTS) {
    if (names.every((n) => perRequest(n, component) < 0.05)) continue;
    const bare = perRequest(BASELINE, component);
    out.push(`| ${component} | ${names.map((n) => cell(n, perRequest(n, component), bare)).join(' | ')} |`);
  }
  out.push(`| **sampled, all components** | ${names.map((n) => cell(n, sampled(n), sampled(BASELINE))).join(' | ')} |`);
  const cpu = (name: string) => totals.get(name)!.cpuMicros / totals.get(name)!.responses;
  out.push(`| CPU µs/req (\`process.cpuUsage\`) | ${names.map((n) => cell(n, cpu(n), cpu(BASELINE))).join(' | ')} |`);
  out.push('');
  out.push(
    `Reading it: **${VARIANTS[1].name}** is ${BASELINE} plus running each request inside \`AsyncLocalStorage.run()\`; its AsyncLocalStorage row is what the request context costs by itself on this Node, since any AsyncLocalStorage in the process makes Node run JavaScript promise hooks for every promise. ` +
      `**${VARIANTS[2].name}** adds the module's own work on the request path, the buffer and the batches sent to Redis (\`Bull + ioredis\`); **${VARIANTS[3].name}** adds the in-process worker, which runs in a worker thread: its jobs (Bull fetching them, \`pg + TypeORM\` writing them) are in the last row, not in the components, and what is left in the components is the main thread's share (the thread's reports, more garbage). ` +
      'Changes in the framework, Node core and GC rows are work the module causes in code that is not its own: an extra listener, an extra header, more garbage.',
  );
  return out.join('\n');
}

function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}


main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exitCode = 1;
});
