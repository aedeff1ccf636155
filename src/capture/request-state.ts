import type { SourceSystem } from '../records/audit.enums';
import type { AnalyticsContext } from './request-context';

/**
 * Everything known about one HTTP request while it is served: the context records are
 * stamped with, plus what the access-log row needs. Lives in AsyncLocalStorage (the same
 * object, never a copy); the platform hooks keep it beside the request, never on it.
 *
 * The user is resolved lazily with `getUserId` the first time a record asks for it, so a
 * request that makes no record before the response costs nothing, and a record made in a
 * handler sees the user set by the guards.
 */
export class RequestState implements AnalyticsContext {
  readonly sourceSystem: SourceSystem = 'api';
  route?: string;
  handler?: string;
  errorMessage?: string;
  sessionId?: string;
  private user?: string;

  constructor(
    /** The platform request (Express `req` or Fastify `request`). */
    readonly request: unknown,
    private readonly resolveUser: (request: unknown) => string | undefined,
    /** `performance.now()` when the request arrived, for the duration. */
    readonly startedAt: number,
    /** `Date.now()` when the request arrived: the row's `created_at`. */
    readonly startedAtEpoch: number,
    readonly method: string,
    /** Path without the query string. */
    readonly path: string,
    /** Raw query string (without `?`), parsed only if the request is recorded. */
    readonly query: string,
    readonly requestId: string,
    readonly traceId: string | undefined,
    readonly ipAddress: string | undefined,
    readonly userAgent: string | undefined,
    readonly requestSize: number | undefined,
  ) {}

  get userId(): string | undefined {
    return (this.user ??= this.resolveUser(this.request));
  }

  set userId(value: string | undefined) {
    this.user = value;
  }
}

/** Splits `/a/b?x=1` into path and query without allocating a URL. */
export function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}
