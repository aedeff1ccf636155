import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { ANALYTICS_MODULE_OPTIONS } from './analytics.constants';
import { messages } from './analytics.messages';
import { AnalyticsDatabase } from './database/analytics-database';
import type { ResolvedAnalyticsOptions } from './options/analytics-options.schema';
import { BatchProcessor } from './pipeline/batch-processor';
import { BatchProducer } from './pipeline/batch-producer';
import { RecordBuffer } from './pipeline/record-buffer';

/** How long shutdown may spend handing records to Redis and, with a worker, persisting them. */
const SHUTDOWN_DRAIN_MS = 10_000;

/**
 * Starts the pipeline with the app and drains it on `app.close()`: every record accepted
 * before is handed to the queue and, when this process runs the worker, persisted before
 * the queue (closed by @nestjs/bull) and the DataSource (closed by @nestjs/typeorm) go.
 */
@Injectable()
export class AnalyticsLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AnalyticsModule');

  constructor(
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: ResolvedAnalyticsOptions,
    private readonly buffer: RecordBuffer,
    private readonly producer: BatchProducer,
    private readonly processor: BatchProcessor,
    private readonly database: AnalyticsDatabase,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.options.enabled) {
      this.logger.log(messages.disabled());
      return;
    }
    this.buffer.start();
    if (this.options.runMigrations || this.options.worker.enabled) {
      // Connect (and migrate) now when PostgreSQL is up; when it is down the app still
      // starts and the worker connects on its first job.
      await this.database.ready().catch((err: Error) => this.logger.warn(messages.databaseUnavailable(err.message)));
    }
  }

  onApplicationBootstrap(): void {
    if (this.options.enabled && this.options.worker.enabled) this.processor.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.options.enabled) return;
    this.buffer.stop();
    const deadline = Date.now() + SHUTDOWN_DRAIN_MS;
    const handed = await this.buffer.flushUntil(deadline);
    if (this.options.worker.enabled) await this.producer.waitForPersistence(Math.max(0, deadline - Date.now()));
    if (!handed) {
      this.logger.error(messages.shutdownLost(SHUTDOWN_DRAIN_MS, this.buffer.size));
    }
  }
}
