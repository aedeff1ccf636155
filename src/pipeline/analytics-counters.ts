import { Injectable } from '@nestjs/common';

/**
 * Counters of what happened to records in this process, returned by `AuditService.stats()`.
 * Alert on `dropped` and `failed`: they are records that did not (yet) reach the database.
 */
export interface AnalyticsStats {
  /** Records in memory now, waiting to be handed to the queue. */
  buffered: number;
  /** Records accepted from capture and `AuditService` calls since start. */
  accepted: number;
  /** Records handed to the queue (Redis). */
  sent: number;
  /**
   * Records written to PostgreSQL by this process: by its worker, and straight at shutdown
   * when Redis was unreachable.
   */
  persisted: number;
  /** Records dropped because the buffer was full (`flush.maxBufferSize`). */
  dropped: number;
  /** Records in batches that exhausted their attempts (kept in the failed set for replay). */
  failed: number;
  /** Failed hand-offs to the queue (records stayed buffered and were retried). */
  enqueueErrors: number;
  /** Failures inside capture code that were swallowed to protect the host app. */
  captureErrors: number;
  /** Sampled-out or filtered records (not errors). */
  skipped: number;
}

/** Mutable counters shared by the pipeline; `snapshot()` copies them. */
@Injectable()
export class AnalyticsCounters {
  accepted = 0;
  sent = 0;
  persisted = 0;
  dropped = 0;
  failed = 0;
  enqueueErrors = 0;
  captureErrors = 0;
  skipped = 0;

  snapshot(buffered: number): AnalyticsStats {
    const { accepted, sent, persisted, dropped, failed, enqueueErrors, captureErrors, skipped } = this;
    return { buffered, accepted, sent, persisted, dropped, failed, enqueueErrors, captureErrors, skipped };
  }
}
