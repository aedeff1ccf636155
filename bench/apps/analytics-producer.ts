import { Module } from '@nestjs/common';
import { analyticsHooks, analyticsModule } from './analytics-hooks';
import { BenchController, main, startHttpApp } from './bench-app';

/** nestjs-analytics as a producer only (`worker.enabled: false`); analytics-worker.ts writes. */
@Module({ imports: [analyticsModule(false)], controllers: [BenchController] })
class AnalyticsProducerModule {}

main(() => startHttpApp(AnalyticsProducerModule, { hooks: analyticsHooks }));
