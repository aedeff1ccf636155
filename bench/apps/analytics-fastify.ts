import { Module } from '@nestjs/common';
import { analyticsHooks, analyticsModule } from './analytics-hooks';
import { BenchController, main, startHttpApp } from './bench-app';

/** nestjs-analytics with default options on Fastify: compare with bare-fastify. */
@Module({ imports: [analyticsModule(true)], controllers: [BenchController] })
class AnalyticsFastifyModule {}

main(() => startHttpApp(AnalyticsFastifyModule, { fastify: true, hooks: analyticsHooks }));
