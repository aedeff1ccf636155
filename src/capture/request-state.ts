import type { SourceSystem } from '../records/audit.enums';
import { readSessionId } from './read-property';
import type { AnalyticsContext } from './request-context';

/** A client address, or how to read it from the platform request when it is first needed. */
export type ClientAddress = string | undefined | ((request: unknown) => string | undefined);

/**
 * Everything known about one HTTP request while it is served: the context records are
 * stamped with, plus what the access-log row needs. Lives in AsyncLocalStorage (the same
 * object, never a copy); the platform hooks keep it beside the request, never on it.
 *
 * The user is resolved lazily with `getUserId` when a record asks for it (again until one
 * is found), so a request that makes no record before the response costs nothing, a record
 * made in a handler sees the user set by the guards, and one made in a middleware before
 * them does not keep the row from seeing that user. The client address is lazy the same way.
 */
export class RequestState implements AnalyticsContext {
  /** The table the finished request goes to: the buffer holds the state itself until its batch leaves. */
  readonly table = 'api_access_logs' as const;
  readonly sourceSystem: SourceSystem = 'api';
  route?: string;
  handler?: string;
  errorMessage?: string;
  /**
   * The exception Nest answered the request with when the handler did not throw it (a
   * guard's, a pipe's, an interceptor's); its message becomes `errorMessage` when the response is done.
   */
  exception?: unknown;
  /** Set by `finish()`: what the client received and how long it took. */
  statusCode = 0;
  responseSize?: number;
  durationMs = 0;
  /**
   * The row's values, built by `BatchEncoder` when the batch first leaves the process and
   * kept, so that a batch sent again after a failed attempt keeps its ids.
   */
  rowValues?: unknown[];
  /** The platform reply where a hook needs it after the request is gone (Fastify's abort hook); released by `finish()`. */
  reply?: unknown;
  private user?: string | null;
  private session?: string | null;
  private ip: ClientAddress | null;

  constructor(
    /** The platform request (Express `req` or Fastify `request`); released by `finish()`. */
    public request: unknown,
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
    /**
     * The client address, or how to read it from the request when it first is needed
     * (Express's `req.ip` with `trust proxy`, which exists only once Express has the request).
     */
    ipAddress: ClientAddress,
    readonly userAgent: string | undefined,
    readonly requestSize: number | undefined,
  ) {
    this.ip = ipAddress;
  }

  get ipAddress(): string | undefined {
    if (typeof this.ip === 'function') this.ip = (this.request === undefined ? undefined : this.ip(this.request)) ?? null;
    return this.ip ?? undefined;
  }

  set ipAddress(value: string | undefined) {
    this.ip = value;
  }

  get userId(): string | undefined {
    // Asked again until a user is found: a record made before the guards ran (in a
    // middleware) must not pin "no user" on the row. `finish()` settles it (null: none).
    if (this.user === undefined && this.request !== undefined) {
      const found = this.resolveUser(this.request);
      if (found !== undefined && found !== null) this.user = found;
    }
    return this.user ?? undefined;
  }

  set userId(value: string | undefined) {
    this.user = value;
  }

  /** The session the request came with (see `readSessionId`), read when first asked, so that records made in the handler have it too. */
  get sessionId(): string | undefined {
    if (this.session === undefined && this.request !== undefined) this.session = readSessionId(this.request) ?? null;
    return this.session ?? undefined;
  }

  set sessionId(value: string | undefined) {
    this.session = value;
  }

  /**
   * Freezes what the row needs when the response is done (status, size, duration, user and
   * session) and lets go of the platform request, so that a buffered state keeps nothing
   * of the request alive.
   */
  finish(statusCode: number, responseSize: number | undefined): void {
    this.durationMs = performance.now() - this.startedAt;
    this.statusCode = statusCode;
    this.responseSize = responseSize;
    this.user = this.userId ?? null;
    this.ip = this.ipAddress ?? null;
    this.session = this.sessionId ?? null;
    this.request = undefined;
    this.reply = undefined;
  }
}

/**
 * Splits `/a/b?x=1` into path and query without allocating a URL. A request target in
 * absolute form (`GET http://host/a/b?x=1`, which HTTP servers must accept) gives the same:
 * the scheme and host are not part of the path.
 */
export function splitUrl(url: string): { path: string; query: string } {
  if (url.charCodeAt(0) !== 47 /* '/' */) url = originForm(url);
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/** `http://host:80/a?x` → `/a?x`; `http://host?x` → `/?x`; anything else (`*`) as it is. */
function originForm(url: string): string {
  const scheme = url.indexOf('://');
  if (scheme === -1) return url;
  const authority = scheme + 3;
  let end = url.length;
  for (const mark of ['/', '?', '#']) {
    const at = url.indexOf(mark, authority);
    if (at !== -1 && at < end) end = at;
  }
  const rest = url.slice(end);
  return rest.charCodeAt(0) === 47 ? rest : `/${rest}`;
}
