import { AsyncLocalStorage } from 'node:async_hooks';
import type { SourceSystem } from '../records/audit.enums';

/**
 * What every record made inside a request (or inside `runWithAnalyticsContext`) is
 * stamped with. Read once, when the record is made.
 */
export interface AnalyticsContext {
  requestId?: string;
  userId?: string;
  userEmail?: string;
  tenantId?: string;
  sessionId?: string;
  correlationId?: string;
  ipAddress?: string;
  userAgent?: string;
  /** W3C trace id from an incoming `traceparent` header. */
  traceId?: string;
  sourceSystem?: SourceSystem;
}

const storage = new AsyncLocalStorage<AnalyticsContext>();

/** The context of the current request, job or CLI run, if any. */
export function getAnalyticsContext(): AnalyticsContext | undefined {
  return storage.getStore();
}

/**
 * Runs `fn` with a context that every record made inside it is stamped with; use it
 * in jobs, crons and CLIs. Nested calls inherit the outer context's fields.
 *
 * @example
 * await runWithAnalyticsContext({ userId: job.data.userId, sourceSystem: 'worker' }, () => this.sync(job));
 */
export function runWithAnalyticsContext<T>(context: AnalyticsContext, fn: () => T): T {
  const parent = storage.getStore();
  return storage.run({ ...parent, ...context }, fn);
}

/** Enters a context for the rest of the current synchronous execution and its async continuations. */
export function enterAnalyticsContext(context: AnalyticsContext): void {
  storage.enterWith(context);
}
