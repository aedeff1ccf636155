import { Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import { AnalyticsCallInterceptor } from './analytics-call.interceptor';
import { AnalyticsExplorer } from './analytics.explorer';
import { AuditedCallRecorder } from './audited-call.recorder';
import { ExternalCallRecorder } from './external-call.recorder';
import { FastifyLikeAdapter, registerFastifyHooks } from './fastify-request.hooks';
import { RequestTracker } from './request-tracker';
import { observeRouteExceptions } from './route-exceptions.hook';
import { ExpressAppLike, trackExpressApp } from './express-request.tracking';

/** Providers of request tracking and the decorators, shared by AnalyticsModule and AnalyticsTestingModule. */
export const CAPTURE_PROVIDERS: Provider[] = [
  RequestTracker,
  AuditedCallRecorder,
  ExternalCallRecorder,
  AnalyticsExplorer,
  AnalyticsCallInterceptor,
];

/** What the decorators' handler-scoped interceptor needs from the user's modules (the module is global). */
export const CAPTURE_EXPORTS = [AnalyticsCallInterceptor, AuditedCallRecorder, ExternalCallRecorder];

/**
 * Hooks request tracking into the HTTP platform before routes are registered (called from
 * the module's `configure()`): native hooks on Fastify; on Express, the app's `handle` wrapped; and
 * wraps the route handlers before the router binds them, and lets the tracking see the
 * exceptions guards, pipes and interceptors answer with. Nothing when disabled or for an
 * application context without HTTP. No global interceptor: measured, Nest's interceptor
 * pipeline alone cost more than all of the module's own per-request work.
 */
export function applyRequestTracking(
  adapterHost: HttpAdapterHost,
  tracker: RequestTracker,
  explorer: AnalyticsExplorer,
  options: ResolvedAnalyticsOptions,
): void {
  const adapter = adapterHost.httpAdapter;
  if (!options.enabled || !adapter) return;
  explorer.wrapControllers();
  observeRouteExceptions();
  if (adapter.getType() === 'fastify') {
    registerFastifyHooks(adapter as unknown as FastifyLikeAdapter, tracker);
    return;
  }
  trackExpressApp(adapter.getInstance<ExpressAppLike>(), tracker);
}
