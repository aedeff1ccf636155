import { Module } from '@nestjs/common';
import { analyticsHooks, analyticsModule } from './analytics-hooks';
import { BenchController, main, startHttpApp } from './bench-app';

/** nestjs-analytics with default options: the worker runs in this process. */
@Module({ imports: [analyticsModule(true)], controllers: [BenchController] })
class AnalyticsAppModule {}

main(() => startHttpApp(AnalyticsAppModule, { hooks: analyticsHooks }));
