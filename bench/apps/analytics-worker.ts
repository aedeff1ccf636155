import { Module } from '@nestjs/common';
import { analyticsHooks, analyticsModule } from './analytics-hooks';
import { main, startContext } from './bench-app';

/** The separate worker process of the analytics-producer variant: no HTTP, consumes the queue on its main thread. */
@Module({ imports: [analyticsModule('dedicated')] })
class AnalyticsWorkerModule {}

main(() => startContext(AnalyticsWorkerModule, { stats: analyticsHooks.stats }));
