import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ANALYTICS_MODULE_OPTIONS } from '../analytics.constants';
import { AuditService } from '../audit.service';
import { CAPTURE_EXPORTS, CAPTURE_PROVIDERS } from '../capture/capture.providers';
import { RequestTrackingHost } from '../capture/request-tracking.host';
import type { AnalyticsModuleOptions } from '../options/analytics-module-options.interface';
import { resolveAnalyticsOptions } from '../options/analytics-options.factory';
import { AnalyticsCounters } from '../pipeline/analytics-counters';
import { RecordSink } from '../pipeline/record-sink';
import { RecordFactory } from '../records/record.factory';
import { AnalyticsTestingStore } from './analytics-testing.store';

/**
 * A stand-in for `AnalyticsModule` in your own test suites: the same request tracking,
 * decorators and `AuditService`, with records kept in memory by `AnalyticsTestingStore`.
 * No PostgreSQL, no Redis, no environment variables read.
 *
 * @example
 * // app.module.ts: keep the configured module in a constant so tests can replace it
 * export const analytics = AnalyticsModule.forRoot({ database: { url: process.env.DATABASE_URL } });
 * // in a test: overrideModule matches that very object
 * const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
 *   .overrideModule(analytics).useModule(AnalyticsTestingModule.forRoot())
 *   .compile();
 */
@Module({})
export class AnalyticsTestingModule extends RequestTrackingHost {
  /** Options as for `AnalyticsModule.forRoot()`; connection settings are ignored. */
  static forRoot(options: AnalyticsModuleOptions = {}): DynamicModule {
    return {
      module: AnalyticsTestingModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: ANALYTICS_MODULE_OPTIONS, useFactory: () => resolveAnalyticsOptions({ ...options, runMigrations: false }, {}) },
        AnalyticsCounters,
        RecordFactory,
        AnalyticsTestingStore,
        { provide: RecordSink, useExisting: AnalyticsTestingStore },
        AuditService,
        ...CAPTURE_PROVIDERS,
      ],
      exports: [AuditService, AnalyticsTestingStore, ANALYTICS_MODULE_OPTIONS, ...CAPTURE_EXPORTS],
    };
  }

}
