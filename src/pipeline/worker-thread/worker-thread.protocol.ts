import type { AnalyticsModuleOptions } from '../../options/analytics-module-options.interface';
import type { ResolvedAnalyticsOptions } from '../../options/analytics-options.schema';

/** Log levels a worker thread forwards to its process's Nest logger. */
export type ThreadLogLevel = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

/** Messages from the worker thread to its process. */
export type ThreadMessage =
  /** What became of one batch (see BatchOutcomes). */
  | { kind: 'batch'; outcome: 'persisted' | 'failed'; jobId: string; rows: number; stored?: number }
  /** A line for the process's logger. */
  | { kind: 'log'; level: ThreadLogLevel; message: string; params: Array<string | undefined> }
  /** The thread could not start; it exits. */
  | { kind: 'failed'; message: string }
  /** After `close`: the queue and the DataSource are closed; the thread exits. */
  | { kind: 'closed' };

/** Messages from the process to its worker thread. */
export type HostMessage = { kind: 'close' };

/** What a worker thread is started with (`workerData`). */
export interface ThreadData {
  options: AnalyticsModuleOptions;
}

/**
 * The options of the module inside the worker thread: what its worker needs (the same
 * database, Redis, queue and worker settings, as resolved in the process, env overrides
 * included) and the worker on the thread's main loop. With `runMigrations`, the thread
 * migrates too when it connects: a no-op when the process did it at start-up, and the
 * schema's creation when PostgreSQL was down then. Functions such as `getUserId` stay behind.
 */
export function threadOptions(options: ResolvedAnalyticsOptions): AnalyticsModuleOptions {
  return {
    enabled: true,
    database: options.database,
    redis: options.redis,
    queueName: options.queueName,
    worker: { ...options.worker, enabled: true, thread: false },
    runMigrations: options.runMigrations,
  };
}
