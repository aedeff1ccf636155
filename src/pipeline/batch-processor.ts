import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { v7 as uuidv7 } from 'uuid';
import { ANALYTICS_MODULE_OPTIONS, ANALYTICS_QUEUE, BATCH_JOB } from '../analytics.constants';
import { messages } from '../analytics.messages';
import type { ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import type { JobPayload } from '../records/record.types';
import { rowCount } from '../records/table-rows';
import { BatchOutcomes } from './batch-outcomes';
import { BatchWriter, RowsRefusedError } from './batch-writer';
import type { QueueCounts } from './record-sink';
import { ThrottledLogger } from './throttled-logger';

/**
 * The worker: consumes batch jobs and writes them. Failed jobs are retried by Bull with
 * exponential backoff; jobs that exhaust their attempts stay in the failed set for
 * `AuditService.retryFailedBatches()`.
 */
@Injectable()
export class BatchProcessor {
  private readonly logger = new Logger('AnalyticsWorker');
  private readonly throttled = new ThrottledLogger(this.logger);
  private started = false;

  constructor(
    @InjectQueue(ANALYTICS_QUEUE) private readonly queue: Queue,
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: ResolvedAnalyticsOptions,
    private readonly writer: BatchWriter,
    private readonly outcomes: BatchOutcomes,
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.queue.on('failed', (job: Job<JobPayload>, err: Error) => this.onFailed(job, err));
    this.queue
      .process(BATCH_JOB, this.options.worker.concurrency, (job: Job<JobPayload>) => this.handle(job))
      // Bull rejects without a reason when the queue closes before Redis was ever reachable.
      .catch((err: Error | undefined) =>
        this.throttled.error('process', messages.redisError(err?.message ?? 'the queue closed before Redis was reachable')),
      );
  }

  /** Writes one batch; throws so Bull retries it. */
  async handle(job: Job<JobPayload>): Promise<{ inserted: number }> {
    const inserted = await this.writer.write(job.data);
    this.outcomes.persisted(String(job.id), rowCount(job.data));
    return { inserted };
  }

  private onFailed(job: Job<JobPayload>, err: Error): void {
    const attempts = job.opts.attempts ?? 1;
    // Final when its attempts are spent, or when Bull moved it to the failed set for another
    // reason (it stalled more often than allowed: its worker died with it twice), which
    // stamps `finishedOn` without counting an attempt.
    if (job.attemptsMade >= attempts || job.finishedOn) {
      const rows = rowCount(job.data);
      // When PostgreSQL refused some rows only, the others are in their tables: persisted.
      const refused = err instanceof RowsRefusedError ? Math.min(err.refusedRows, rows) : rows;
      this.outcomes.failed(String(job.id), refused, rows - refused);
      this.logger.error(messages.batchExhausted(job.id, rows, err.message));
    } else {
      this.throttled.warn('batch', messages.batchFailed(job.id, job.attemptsMade, attempts, err.message));
    }
  }

  /**
   * Throws at once when the queue's connection is not ready: its commands would wait in
   * ioredis' offline queue until Redis is back.
   */
  private assertReady(): void {
    const { status } = this.queue.client;
    if (status !== 'ready') throw new Error(messages.redisNotReady(status));
  }

  /**
   * How many batches the queue holds in each state.
   * @throws at once when the queue's connection is not ready.
   */
  async queueCounts(): Promise<QueueCounts> {
    this.assertReady();
    const counts = (await this.queue.getJobCounts()) as Partial<QueueCounts>;
    return {
      waiting: counts.waiting ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      completed: counts.completed ?? 0,
      paused: counts.paused ?? 0,
    };
  }

  /**
   * Puts every failed batch back in the queue, with all its attempts and backoff again.
   * @returns how many were put back.
   * @throws at once when the queue's connection is not ready (its commands would wait in
   * ioredis' offline queue until Redis is back).
   */
  async retryFailed(): Promise<number> {
    this.assertReady();
    const failed = await this.queue.getFailed();
    // A new job rather than `job.retry()`, which keeps the attempts made: a replayed batch
    // would get one attempt, without backoff. Added before the old one is removed, so that a
    // crash between the two leaves the batch queued twice (its rows are stored once), never not at all.
    await Promise.all(
      failed.map(async (job) => {
        await this.queue.add(BATCH_JOB, job.data, { jobId: uuidv7() });
        await job.remove();
      }),
    );
    return failed.length;
  }
}
