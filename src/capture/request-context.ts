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
  return storage.run(parent ? { ...copyContext(parent), ...context } : { ...context }, fn);
}

/** Runs `fn` inside this very context object (no copy): the request hooks use it. */
export function runInContext<T>(context: AnalyticsContext, fn: () => T): T {
  return storage.run(context, fn);
}

const CONTEXT_KEYS: ReadonlyArray<keyof AnalyticsContext> = [
  'requestId',
  'userId',
  'userEmail',
  'tenantId',
  'sessionId',
  'correlationId',
  'ipAddress',
  'userAgent',
  'traceId',
  'sourceSystem',
];

/** The context's fields as a plain object (reads getters such as the lazily resolved user). */
function copyContext(context: AnalyticsContext): AnalyticsContext {
  const out: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value = context[key];
    if (value !== undefined) out[key] = value;
  }
  return out as AnalyticsContext;
}
