import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  ANALYTICS_DATA_SOURCE,
  ANALYTICS_MODULE_OPTIONS,
  ANALYTICS_QUEUE,
  ANALYTICS_RAW_OPTIONS,
  ANALYTICS_WORKER_THREAD,
} from './analytics.constants';
import { AnalyticsLifecycle } from './analytics.lifecycle';
import { AnalyticsShutdownModule } from './analytics-shutdown.module';
import { CAPTURE_EXPORTS, CAPTURE_PROVIDERS } from './capture/capture.providers';
import { RequestTrackingHost } from './capture/request-tracking.host';
import { AnalyticsOptionsModule } from './analytics-options.module';
import { AuditService } from './audit.service';
import { AnalyticsDatabase } from './database/analytics-database';
import { createDataSourceOptions } from './database/analytics-data-source.options';
import type {
  AnalyticsModuleAsyncOptions,
  AnalyticsModuleOptions,
  AnalyticsOptionsFactory,
} from './options/analytics-module-options.interface';
import { resolveAnalyticsOptions } from './options/analytics-options.factory';
import type { ResolvedAnalyticsOptions } from './options/analytics-options.schema';
import { AnalyticsCounters } from './pipeline/analytics-counters';
import { BatchEncoder } from './pipeline/batch-encoder';
import { BatchOutcomes } from './pipeline/batch-outcomes';
import { BatchProcessor } from './pipeline/batch-processor';
import { BatchProducer } from './pipeline/batch-producer';
import { BatchWriter } from './pipeline/batch-writer';
import { PipelineRecordSink } from './pipeline/pipeline-record.sink';
import { RecordSink } from './pipeline/record-sink';
import { createQueueOptions } from './pipeline/queue-options.factory';
import { RecordBuffer } from './pipeline/record-buffer';
import { RedisClientRegistry } from './pipeline/redis-client.registry';
import { ThreadBatchOutcomes } from './pipeline/worker-thread/thread-batch-outcomes';
import { WorkerThreadHost } from './pipeline/worker-thread/worker-thread.host';
import { RecordFactory } from './records/record.factory';

/**
 * Records requests, audit entries, logins, external API calls and product events into
 * your PostgreSQL, through an in-memory buffer and a Bull queue. Global.
 *
 * @example
 * @Module({ imports: [AnalyticsModule.forRoot({ database: { url: process.env.DATABASE_URL } })] })
 * export class AppModule {}
 */
@Module({})
export class AnalyticsModule extends RequestTrackingHost {

  /** Configures the module with static options (all optional). */
  static forRoot(options: AnalyticsModuleOptions = {}): DynamicModule {
    return this.assemble([{ provide: ANALYTICS_RAW_OPTIONS, useValue: options }], []);
  }

  /** Configures the module with options from a factory, a class or an existing provider. */
  static forRootAsync(options: AnalyticsModuleAsyncOptions): DynamicModule {
    return this.assemble(createAsyncOptionsProviders(options), options.imports ?? []);
  }

  /**
   * The module inside the worker thread that `worker.thread` starts: batch outcomes go to
   * the process that runs the thread.
   * @internal
   */
  static forWorkerThread(options: AnalyticsModuleOptions): DynamicModule {
    return this.assemble([{ provide: ANALYTICS_RAW_OPTIONS, useValue: options }], [], [
      { provide: BatchOutcomes, useClass: ThreadBatchOutcomes },
      { provide: ANALYTICS_WORKER_THREAD, useValue: true },
    ]);
  }

  private static assemble(
    rawOptions: Provider[],
    imports: DynamicModule['imports'],
    overrides: Provider[] = [],
  ): DynamicModule {
    const optionsModule: DynamicModule = {
      module: AnalyticsOptionsModule,
      imports,
      providers: [
        ...rawOptions,
        // The one place where options are merged and validated, for both forRoot and forRootAsync.
        { provide: ANALYTICS_MODULE_OPTIONS, useFactory: resolveAnalyticsOptions, inject: [ANALYTICS_RAW_OPTIONS] },
        RedisClientRegistry,
      ],
      exports: [ANALYTICS_MODULE_OPTIONS, RedisClientRegistry],
    };
    return {
      module: AnalyticsModule,
      global: true,
      imports: [
        optionsModule,
        DiscoveryModule,
        TypeOrmModule.forRootAsync({
          name: ANALYTICS_DATA_SOURCE,
          imports: [optionsModule],
          inject: [ANALYTICS_MODULE_OPTIONS],
          // Connected lazily by AnalyticsDatabase, so a down PostgreSQL never blocks start-up.
          useFactory: (o: ResolvedAnalyticsOptions) => ({
            ...createDataSourceOptions(o.database),
            name: ANALYTICS_DATA_SOURCE,
            manualInitialization: true,
          }),
        }),
        BullModule.registerQueueAsync({
          name: ANALYTICS_QUEUE,
          imports: [optionsModule],
          inject: [ANALYTICS_MODULE_OPTIONS, RedisClientRegistry],
          useFactory: createQueueOptions,
        }),
        AnalyticsShutdownModule,
      ],
      providers: [
        AnalyticsCounters,
        RecordFactory,
        BatchEncoder,
        BatchProducer,
        RecordBuffer,
        AnalyticsDatabase,
        BatchWriter,
        BatchOutcomes,
        BatchProcessor,
        WorkerThreadHost,
        PipelineRecordSink,
        { provide: RecordSink, useExisting: PipelineRecordSink },
        { provide: ANALYTICS_WORKER_THREAD, useValue: false },
        AuditService,
        AnalyticsLifecycle,
        ...CAPTURE_PROVIDERS,
        ...overrides,
      ],
      exports: [AuditService, optionsModule, ...CAPTURE_EXPORTS],
    };
  }
}

function createAsyncOptionsProviders(options: AnalyticsModuleAsyncOptions): Provider[] {
  if (options.useFactory) {
    return [{ provide: ANALYTICS_RAW_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }];
  }
  const factoryClass = options.useClass ?? options.useExisting;
  if (!factoryClass) {
    throw new Error('AnalyticsModule.forRootAsync() needs one of useFactory, useClass or useExisting.');
  }
  const fromFactory: Provider = {
    provide: ANALYTICS_RAW_OPTIONS,
    useFactory: (factory: AnalyticsOptionsFactory) => factory.createAnalyticsOptions(),
    inject: [factoryClass],
  };
  return options.useClass ? [options.useClass, fromFactory] : [fromFactory];
}
