import { Injectable } from '@nestjs/common';
import { AnalyticsCounters } from './analytics-counters';
import { BatchProducer } from './batch-producer';

/**
 * Where the worker reports what became of a batch. In the process that sent it, this
 * counts the rows in `stats()` and tells the producer the job is done, so
 * `flush({ waitForPersistence })` needs no Redis round trip. A worker thread reports to
 * its process instead (`ThreadBatchOutcomes`), which passes the report on to this class.
 */
@Injectable()
export class BatchOutcomes {
  constructor(
    private readonly counters: AnalyticsCounters,
    private readonly producer: BatchProducer,
  ) {}

  /** The batch's rows are in PostgreSQL. */
  persisted(jobId: string, rows: number): void {
    this.counters.persisted += rows;
    this.producer.finished(jobId);
  }

  /**
   * The batch exhausted its attempts and stays in the failed set: `rows` of it are not
   * stored; `stored`, the rest, are (PostgreSQL refused only some rows). One report, so that
   * a `flush({ waitForPersistence })` that ends with it sees both counts.
   */
  failed(jobId: string, rows: number, stored = 0): void {
    this.counters.failed += rows;
    this.counters.persisted += stored;
    this.producer.finished(jobId);
  }
}
