import { Inject, MiddlewareConsumer, NestModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ANALYTICS_MODULE_OPTIONS } from '../analytics.constants';
import type { ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import { AnalyticsExplorer } from './analytics.explorer';
import { applyRequestTracking } from './capture.providers';
import { RequestTracker } from './request-tracker';

/**
 * Base of the modules that track requests (`AnalyticsModule`, `AnalyticsTestingModule`):
 * Nest calls `configure()` before the routes are registered, which is when request
 * tracking must be hooked into the platform and route handlers wrapped.
 */
export abstract class RequestTrackingHost implements NestModule {
  constructor(
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: ResolvedAnalyticsOptions,
    private readonly adapterHost: HttpAdapterHost,
    private readonly tracker: RequestTracker,
    private readonly explorer: AnalyticsExplorer,
  ) {}

  /** Registers request tracking for every route (called by Nest before routes exist). */
  configure(_consumer: MiddlewareConsumer): void {
    applyRequestTracking(this.adapterHost, this.tracker, this.explorer, this.options);
  }
}
