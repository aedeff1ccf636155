import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { ANALYTICS_MODULE_OPTIONS, ANALYTICS_WORKER_THREAD } from './analytics.constants';
import { messages } from './analytics.messages';
import { AnalyticsDatabase, isConnectionError } from './database/analytics-database';
import type { ResolvedAnalyticsOptions } from './options/analytics-options.schema';
import { AnalyticsCounters } from './pipeline/analytics-counters';
import { BatchEncoder } from './pipeline/batch-encoder';
import { BatchProducer } from './pipeline/batch-producer';
import { BatchWriter } from './pipeline/batch-writer';
import { RecordBuffer } from './pipeline/record-buffer';
import { WorkerThreadHost } from './pipeline/worker-thread/worker-thread.host';
import { withTimeout } from './pipeline/with-timeout';
import type { JobPayload, QueuedRecord } from './records/record.types';
import { rowCount } from './records/table-rows';

/** How long shutdown may spend handing records to Redis (or PostgreSQL) and, with a worker, persisting them. */
const SHUTDOWN_DRAIN_MS = 10_000;

/**
 * Starts the pipeline with the app and drains it on `app.close()`, in two steps: before the
 * HTTP server closes, and again once it has closed (so requests that were still in progress
 * are recorded too), before the queue (closed by @nestjs/bull) and the DataSource (closed by
 * @nestjs/typeorm) go.
 */
/** PostgreSQL's `insufficient_privilege`. */
const INSUFFICIENT_PRIVILEGE = '42501';

@Injectable()
export class AnalyticsLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AnalyticsModule');
  private drained = false;
  private straightWriteFailed = false;

  constructor(
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: ResolvedAnalyticsOptions,
    private readonly buffer: RecordBuffer,
    private readonly producer: BatchProducer,
    private readonly workerThread: WorkerThreadHost,
    private readonly database: AnalyticsDatabase,
    private readonly encoder: BatchEncoder,
    private readonly writer: BatchWriter,
    private readonly counters: AnalyticsCounters,
    @Inject(ANALYTICS_WORKER_THREAD) private readonly inWorkerThread: boolean,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.options.enabled) {
      this.logger.log(messages.disabled());
      return;
    }
    this.buffer.start();
    const { worker } = this.options;
    if (this.options.runMigrations || (worker.enabled && !worker.thread)) {
      // Connect (and migrate) now when PostgreSQL is up; when it is down the app still
      // starts and the worker connects on its first job. A worker thread has its own
      // connections; with runMigrations the process has reported an unreachable database
      // itself a moment before.
      const quiet = this.inWorkerThread && this.options.runMigrations;
      await this.database.ready().catch((err: Error) => {
        const message = isConnectionError(err)
          ? messages.databaseUnavailable(err.message)
          : messages.databaseNotPrepared(this.options.database.schema, err.message, (err as { code?: string }).code === INSUFFICIENT_PRIVILEGE);
        if (quiet) this.logger.debug(message);
        else this.logger.warn(message);
      });
    }
  }

  onApplicationBootstrap(): void {
    // After onModuleInit's migrations, so the thread's worker finds the tables.
    if (this.options.enabled && this.options.worker.enabled) this.workerThread.start();
  }

  /**
   * First drain, while the app still serves: hand over what is buffered now (one attempt),
   * so the final drain has little left to do.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.options.enabled) return;
    await this.buffer.flush();
  }

  /**
   * Final drain, called by AnalyticsShutdownModule once the HTTP server has closed (Nest
   * waits for the requests in progress there) and before the queue and the DataSource
   * close: every record accepted until now is handed to the queue and, when this process
   * runs the worker, persisted. When Redis refuses, what is left is written straight to
   * PostgreSQL instead, with the worker's writer (same ids, so nothing is stored twice).
   * A record made after this is dropped and counted.
   */
  async drainOnShutdown(): Promise<void> {
    if (!this.options.enabled || this.drained) return;
    this.drained = true;
    this.buffer.stop();
    const deadline = Date.now() + SHUTDOWN_DRAIN_MS;
    const handed = await this.buffer.flushUntil(deadline, () => this.writeStraight(deadline));
    this.buffer.close();
    if (this.options.worker.enabled) {
      await this.producer.waitForPersistence(Math.max(0, deadline - Date.now()));
      await this.workerThread.stop(Math.max(0, deadline - Date.now()));
    }
    if (!handed) {
      this.logger.error(messages.shutdownLost(SHUTDOWN_DRAIN_MS, this.buffer.size));
    }
  }

  /**
   * Redis refused the final drain: writes what is still buffered straight to PostgreSQL,
   * as a worker would write the job (the payload goes through JSON, as it does through
   * Bull). Counted in `persisted`; on failure the records stay buffered for the next try.
   */
  private async writeStraight(deadline: number): Promise<void> {
    let written = 0;
    try {
      await this.buffer.drainTo(async (records: QueuedRecord[]) => {
        const payload = JSON.parse(JSON.stringify(this.encoder.encode(records))) as JobPayload;
        await withTimeout(this.writer.write(payload), deadline - Date.now(), 'the shutdown deadline passed');
        const rows = rowCount(payload);
        this.counters.persisted += rows;
        written += rows;
      });
    } catch (err) {
      if (!this.straightWriteFailed) this.logger.warn(messages.shutdownStraightFailed((err as Error).message));
      this.straightWriteFailed = true;
    } finally {
      if (written > 0) this.logger.warn(messages.shutdownWroteStraight(written));
    }
  }
}
