import { AsyncLocalStorage } from 'node:async_hooks';
import type { SourceSystem } from '../records/audit.enums';
import { RequestState } from './request-state';

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

/**
 * The context of the current request, job or CLI run, if any: a plain object holding the
 * fields that are set (`requestId`, `userId`, …), read now. Safe to log, serialize or return
 * from a handler.
 */
export function getAnalyticsContext(): AnalyticsContext | undefined {
  const context = storage.getStore();
  if (context === undefined) return undefined;
  const snapshot: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value = context[key];
    if (value !== undefined) snapshot[key] = value;
  }
  return snapshot as AnalyticsContext;
}

/**
 * The context object itself, for the module's own use: inside a request, its `RequestState`
 * (which holds the platform request), read lazily; never handed to users.
 */
export function currentContext(): AnalyticsContext | undefined {
  return storage.getStore();
}

/**
 * Runs `fn` with a context that every record made inside it is stamped with; use it
 * in jobs, crons and CLIs. Nested calls inherit the outer context's fields. Inside a
 * request it adds to the request's context (`{ tenantId }`), and the request is still
 * tracked as one: the user its guards set later, its handler and its error still reach
 * its access-log row.
 *
 * @example
 * await runWithAnalyticsContext({ userId: job.data.userId, sourceSystem: 'worker' }, () => this.sync(job));
 */
export function runWithAnalyticsContext<T>(context: AnalyticsContext, fn: () => T): T {
  const parent = storage.getStore();
  return storage.run(parent ? new NestedContext(parent, { ...context }) : { ...context }, fn);
}

/** The request a context belongs to: the request's own state, or the one a nested context was made in. */
export function requestStateOf(context: AnalyticsContext | undefined): RequestState | undefined {
  if (context instanceof RequestState) return context;
  return context instanceof NestedContext ? context.request : undefined;
}

/** Runs `fn` inside this very context object (no copy), or in none: the request hooks use it. */
export function runInContext<T>(context: AnalyticsContext | undefined, fn: () => T): T {
  return storage.run(context as AnalyticsContext, fn);
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

/**
 * A context made inside another: its own fields, and the outer one's for the rest, read
 * when a record asks rather than copied when it is made, so that inside a request the user
 * is the one the guards set by the time the record is made, as in the request's own context.
 */
class NestedContext implements AnalyticsContext {
  // Getters defined below, one per context key.
  declare readonly requestId?: string;
  declare readonly userId?: string;
  declare readonly userEmail?: string;
  declare readonly tenantId?: string;
  declare readonly sessionId?: string;
  declare readonly correlationId?: string;
  declare readonly ipAddress?: string;
  declare readonly userAgent?: string;
  declare readonly traceId?: string;
  declare readonly sourceSystem?: SourceSystem;

  /** The request this context was made in, if any. */
  readonly request: RequestState | undefined;

  constructor(
    readonly outer: AnalyticsContext,
    readonly own: AnalyticsContext,
  ) {
    this.request = requestStateOf(outer);
  }
}

for (const key of CONTEXT_KEYS) {
  Object.defineProperty(NestedContext.prototype, key, {
    get(this: NestedContext) {
      return Object.hasOwn(this.own, key) ? this.own[key] : this.outer[key];
    },
  });
}
