import type { AnalyticsContext } from './request-context';

/** Property under which the request's state is kept on the platform request object. */
export const REQUEST_STATE = Symbol.for('nestjs-analytics:request-state');

/**
 * Everything known about one HTTP request while it is served: the context records are
 * stamped with, plus what the access-log row needs. Lives in AsyncLocalStorage and on the
 * request object.
 */
export interface RequestState extends AnalyticsContext {
  /** `performance.now()` when the request arrived, for the duration. */
  startedAt: number;
  /** `Date.now()` when the request arrived: the row's `created_at`. */
  startedAtEpoch: number;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Raw query string (without `?`), parsed only if the request is recorded. */
  query: string;
  route?: string;
  handler?: string;
  errorMessage?: string;
  requestSize?: number;
}

/** Splits `/a/b?x=1` into path and query without allocating a URL. */
export function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}
