import type { FlushOptions } from '../audit.service';
import type { BufferedRecord, QueuedRecord } from '../records/record.types';
import type { AnalyticsStats } from './analytics-counters';

/**
 * Where finished records go. The module's sink is the buffer → Bull → PostgreSQL pipeline;
 * `AnalyticsTestingModule` swaps in an in-memory one.
 */
export abstract class RecordSink {
  /** Accepts a record (or a finished request) for batching. Never throws, never waits. */
  abstract add(record: QueuedRecord): void;
  /** Accepts a record that must leave at once (authentication events). */
  abstract addUrgent(record: BufferedRecord): void;
  abstract flush(options: FlushOptions): Promise<void>;
  abstract stats(): AnalyticsStats;
  abstract retryFailed(): Promise<number>;
  abstract queueCounts(): Promise<QueueCounts>;
}

/** How many batches the queue holds in each state (the whole queue, every process's). */
export interface QueueCounts {
  /** Waiting for a worker. */
  waiting: number;
  /** Being written by a worker now. */
  active: number;
  /** Waiting for their next attempt after a failed one (PostgreSQL down: the backlog is here). */
  delayed: number;
  /** Given up, kept for `retryFailedBatches()`. */
  failed: number;
  /** Written and kept by Bull (normally 0: written batches are removed). */
  completed: number;
  /** In a paused queue. */
  paused: number;
}
