import { Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AnalyticsLifecycle } from './analytics.lifecycle';

/**
 * Runs the final drain at the right moment of `app.close()`.
 *
 * Nest closes the HTTP server (waiting for the requests in progress) after
 * `beforeApplicationShutdown` and before `onApplicationShutdown`, and calls
 * `onApplicationShutdown` module by module: modules by their distance from the root, then
 * global modules last, in reverse order of registration. AnalyticsModule, @nestjs/bull's
 * queue module and @nestjs/typeorm's core module are all global, and the queue and the
 * DataSource would close before AnalyticsModule's own hook. This module is not global and
 * is imported by AnalyticsModule, so its hook runs after the server has closed and before
 * any global module's: the queue and the DataSource are still open.
 */
@Injectable()
export class AnalyticsShutdownHook implements OnApplicationShutdown {
  constructor(private readonly moduleRef: ModuleRef) {}

  async onApplicationShutdown(): Promise<void> {
    await this.moduleRef.get(AnalyticsLifecycle, { strict: false }).drainOnShutdown();
  }
}

@Module({ providers: [AnalyticsShutdownHook] })
export class AnalyticsShutdownModule {}
