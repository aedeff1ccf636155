import { Module } from '@nestjs/common';
import { analyticsHooks, analyticsModule } from './analytics-hooks';
import { main, startContext } from './bench-app';

/** The separate worker process of the analytics-producer variant: no HTTP, consumes the queue. */
@Module({ imports: [analyticsModule(true)] })
class AnalyticsWorkerModule {}

main(() => startContext(AnalyticsWorkerModule, { stats: analyticsHooks.stats }));
