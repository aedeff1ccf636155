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
}
