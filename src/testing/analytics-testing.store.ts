import { Injectable } from '@nestjs/common';
import type { FlushOptions } from '../audit.service';
import { AnalyticsCounters, AnalyticsStats } from '../pipeline/analytics-counters';
import { QueueCounts, RecordSink } from '../pipeline/record-sink';
import { RecordFactory } from '../records/record.factory';
import { hasRow, type BufferedRecord, type QueuedRecord, type RecordRow, type TableName } from '../records/record.types';

/**
 * The records an app made under `AnalyticsTestingModule`, in memory, as the rows that
 * would have been inserted (snake_case columns, redacted and truncated).
 *
 * @example
 * const store = app.get(AnalyticsTestingStore);
 * await request(app.getHttpServer()).get('/projects/1');
 * expect(store.accessLogs()).toEqual([expect.objectContaining({ route: '/projects/:id', status_code: 200 })]);
 */
@Injectable()
export class AnalyticsTestingStore extends RecordSink {
  private readonly kept: BufferedRecord[] = [];
  private readonly dedupKeys = new Set<string>();

  constructor(
    private readonly counters: AnalyticsCounters,
    private readonly factory: RecordFactory,
  ) {
    super();
  }

  /** Every row, or the rows of one table, oldest first. */
  records(table?: TableName): RecordRow[] {
    return this.kept.filter((r) => !table || r.table === table).map((r) => r.row);
  }

  accessLogs(): RecordRow[] {
    return this.records('api_access_logs');
  }

  auditLogs(): RecordRow[] {
    return this.records('audit_logs');
  }

  authLogs(): RecordRow[] {
    return this.records('authentication_logs');
  }

  externalCalls(): RecordRow[] {
    return this.records('external_api_call_logs');
  }

  events(): RecordRow[] {
    return this.records('event_logs');
  }

  /** Forgets every record (call it in `afterEach`). */
  clear(): void {
    this.kept.length = 0;
    this.dedupKeys.clear();
  }

  add(queued: QueuedRecord): void {
    const record = hasRow(queued) ? queued : this.factory.accessLog(queued);
    // Log-once, as the database enforces it with event_dedup_keys.
    const key = record.table === 'event_logs' ? (record.row.dedup_key as string | null) : null;
    if (key !== null) {
      if (this.dedupKeys.has(key)) return;
      this.dedupKeys.add(key);
    }
    this.counters.accepted++;
    this.counters.sent++;
    this.counters.persisted++;
    this.kept.push(record);
  }

  addUrgent(record: BufferedRecord): void {
    this.add(record);
  }

  async flush(_options: FlushOptions): Promise<void> {
    // Records are "persisted" the moment they are made.
  }

  stats(): AnalyticsStats {
    return this.counters.snapshot(0);
  }

  async retryFailed(): Promise<number> {
    return 0;
  }

  /** No queue: every count is 0. */
  async queueCounts(): Promise<QueueCounts> {
    return { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0, paused: 0 };
  }
}
