/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) this harness reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
  /** Microseconds on the monotonic clock (the one `process.hrtime` reads). */
  startTime: number;
  endTime: number;
  samples: number[];
  /** Microseconds since the previous sample (the first: since `startTime`). */
  timeDeltas: number[];
}

/** Where a sample's own (self) time is counted, in the order the report lists them. */
export const COMPONENTS = [
  'nestjs-analytics code',
  'AsyncLocalStorage (async_hooks)',
  'ids (uuid, crypto random)',
  'Bull + ioredis',
  'pg + TypeORM',
  'NestJS',
  'Express or Fastify, and other packages',
  'Node core (http, streams, events, sockets)',
  'garbage collection',
  'V8 and native (program)',
  'other',
] as const;
export type Component = (typeof COMPONENTS)[number];

const ASYNC_HOOKS = new Set(['node:async_hooks', 'node:internal/async_hooks']);
const QUEUE_PACKAGES = /node_modules\/(bull|ioredis|lodash|redis-parser|redis-errors|standard-as-callback|denque|cluster-key-slot|cron-parser)\//;
const DATABASE_PACKAGES = /node_modules\/(pg|pg-protocol|pg-pool|pg-types|pg-copy-streams|postgres-[a-z]+|typeorm|@nestjs\/typeorm)\//;
const NATIVE_ASYNC = new Set(['executionAsyncResource', 'pushAsyncContext', 'popAsyncContext']);
const NATIVE_RANDOM = new Set(['randomFillSync', 'secureBuffer', 'randomUUID']);

/**
 * The component a function belongs to, from its script URL. `ownSource` is the directory
 * the library's compiled `src/` lives in, so the module's own code is told apart from the
 * packages it calls.
 */
export function componentOf(functionName: string, url: string, ownSource: string): Component | undefined {
  if (functionName === '(idle)' || functionName === '(root)') return undefined;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'V8 and native (program)';
  if (!url) {
    if (NATIVE_ASYNC.has(functionName)) return 'AsyncLocalStorage (async_hooks)';
    if (NATIVE_RANDOM.has(functionName)) return 'ids (uuid, crypto random)';
    // Native socket writes, string encoding and the like, called from Node core.
    return 'Node core (http, streams, events, sockets)';
  }
  const path = url.replace(/^file:\/\//, '');
  if (!path.includes('/node_modules/') && path.startsWith(ownSource)) return 'nestjs-analytics code';
  if (ASYNC_HOOKS.has(url)) return 'AsyncLocalStorage (async_hooks)';
  if (url === 'node:internal/crypto/random' || path.includes('/node_modules/uuid/')) return 'ids (uuid, crypto random)';
  if (QUEUE_PACKAGES.test(path)) return 'Bull + ioredis';
  if (DATABASE_PACKAGES.test(path)) return 'pg + TypeORM';
  if (path.includes('/node_modules/@nestjs/')) return 'NestJS';
  if (path.includes('/node_modules/')) return 'Express or Fastify, and other packages';
  if (url.startsWith('node:')) return 'Node core (http, streams, events, sockets)';
  return 'other';
}

/**
 * Self time (µs) per component of the samples taken between `from` and `to` (monotonic
 * µs). A sample stands for the time until the next one, as Chrome DevTools counts it.
 */
export function selfTimeByComponent(profile: CpuProfile, from: number, to: number, ownSource: string): Map<Component, number> {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const totals = new Map<Component, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < from || at > to) continue;
    const frame = frames.get(profile.samples[i]);
    const component = frame && componentOf(frame.functionName, frame.url, ownSource);
    if (!component) continue;
    const spent = profile.timeDeltas[i + 1] ?? 0;
    totals.set(component, (totals.get(component) ?? 0) + spent);
  }
  return totals;
}
