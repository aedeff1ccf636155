import { Module } from '@nestjs/common';
import { analyticsHooks, analyticsModule } from './analytics-hooks';
import { BenchController, main, startHttpApp } from './bench-app';

/** nestjs-analytics on Fastify as a producer only (`worker.enabled: false`); analytics-worker.ts writes. */
@Module({ imports: [analyticsModule(false)], controllers: [BenchController] })
class AnalyticsProducerFastifyModule {}

main(() => startHttpApp(AnalyticsProducerFastifyModule, { fastify: true, hooks: analyticsHooks }));
