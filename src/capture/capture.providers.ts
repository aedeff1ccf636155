import { MiddlewareConsumer, Provider, RequestMethod } from '@nestjs/common';
import { APP_INTERCEPTOR, HttpAdapterHost } from '@nestjs/core';
import { ANALYTICS_MODULE_OPTIONS } from '../analytics.constants';
import type { ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import { AnalyticsExplorer } from './analytics.explorer';
import { AuditedCallRecorder } from './audited-call.recorder';
import { ExternalCallRecorder } from './external-call.recorder';
import { registerFastifyHooks } from './fastify-request.hooks';
import { RequestTracker } from './request-tracker';
import { RequestTrackingInterceptor } from './request-tracking.interceptor';
import { RequestTrackingMiddleware, TRACK_ALL_ROUTES } from './request-tracking.middleware';

/** Providers of request tracking and the decorators, shared by AnalyticsModule and AnalyticsTestingModule. */
export const CAPTURE_PROVIDERS: Provider[] = [
  RequestTracker,
  AuditedCallRecorder,
  ExternalCallRecorder,
  AnalyticsExplorer,
  RequestTrackingInterceptor,
  {
    provide: APP_INTERCEPTOR,
    // Honours `enabled`: a disabled module adds nothing to the request path but this pass-through.
    useFactory: (options: ResolvedAnalyticsOptions, interceptor: RequestTrackingInterceptor) =>
      options.enabled ? interceptor : { intercept: (_: unknown, next: { handle(): unknown }) => next.handle() },
    inject: [ANALYTICS_MODULE_OPTIONS, RequestTrackingInterceptor],
  },
];

/**
 * Hooks request tracking into the HTTP platform before routes are registered: native
 * hooks on Fastify, a middleware for every route on Express; and wraps decorated
 * controller handlers before the router binds them. Nothing for an application context
 * without HTTP.
 */
export function applyRequestTracking(
  consumer: MiddlewareConsumer,
  adapterHost: HttpAdapterHost,
  tracker: RequestTracker,
  explorer: AnalyticsExplorer,
  options: ResolvedAnalyticsOptions,
): void {
  const adapter = adapterHost.httpAdapter;
  if (!options.enabled || !adapter) return;
  explorer.wrapControllers();
  if (adapter.getType() === 'fastify') {
    registerFastifyHooks(adapter.getInstance(), tracker);
    return;
  }
  consumer.apply(RequestTrackingMiddleware).forRoutes({ path: TRACK_ALL_ROUTES, method: RequestMethod.ALL });
}
