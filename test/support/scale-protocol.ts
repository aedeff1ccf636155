import type { AnalyticsStats } from '../../src/pipeline/analytics-counters';

/** What test/scale.e2e-spec.ts and its child processes (scale-process.ts) share. */
export type ScaleRole = 'api' | 'worker';

/** Distinct `dedupKey`s the API uses; request `i` tracks the event keyed `scale:${i % DEDUP_KEYS}`. */
export const DEDUP_KEYS = 25;

/** Child → parent, over IPC. */
export type ScaleMessage =
  | { type: 'ready'; role: ScaleRole; pid: number; port?: number }
  | { type: 'stats'; stats: AnalyticsStats }
  | { type: 'shutdown'; stats: AnalyticsStats };

/** Parent → child, over IPC. */
export type ScaleCommand = { type: 'stats' };
