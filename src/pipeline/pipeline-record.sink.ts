import { Injectable, Logger } from '@nestjs/common';
import type { FlushOptions } from '../audit.service';
import type { BufferedRecord, QueuedRecord } from '../records/record.types';
import { AnalyticsCounters, AnalyticsStats } from './analytics-counters';
import { BatchProcessor } from './batch-processor';
import { BatchProducer } from './batch-producer';
import { RecordBuffer } from './record-buffer';
import { QueueCounts, RecordSink } from './record-sink';
import { ThrottledLogger } from './throttled-logger';

const DEFAULT_FLUSH_TIMEOUT_MS = 30_000;

/** The production sink: in-memory buffer → Bull job → worker → PostgreSQL. */
@Injectable()
export class PipelineRecordSink extends RecordSink {
  private readonly throttled = new ThrottledLogger(new Logger('AuditService'));

  constructor(
    private readonly buffer: RecordBuffer,
    private readonly producer: BatchProducer,
    private readonly processor: BatchProcessor,
    private readonly counters: AnalyticsCounters,
  ) {
    super();
  }

  add(record: QueuedRecord): void {
    this.buffer.add(record);
  }

  addUrgent(record: BufferedRecord): void {
    this.buffer.addUrgent(record);
  }

  async flush(options: FlushOptions): Promise<void> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
    try {
      if (!options.waitForPersistence) {
        await this.buffer.flush();
        return;
      }
      const deadline = Date.now() + timeoutMs;
      await this.buffer.flushUntil(deadline);
      await this.producer.waitForPersistence(Math.max(0, deadline - Date.now()));
    } catch (err) {
      this.throttled.warn('flush', `flush() failed: ${(err as Error).message}`);
    }
  }

  stats(): AnalyticsStats {
    return this.counters.snapshot(this.buffer.size);
  }

  retryFailed(): Promise<number> {
    return this.processor.retryFailed();
  }

  queueCounts(): Promise<QueueCounts> {
    return this.processor.queueCounts();
  }
}
