import { Inject, Injectable, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { ANALYTICS_MODULE_OPTIONS } from '../analytics.constants';
import type { ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import { AnalyticsCounters } from '../pipeline/analytics-counters';
import { RecordSink } from '../pipeline/record-sink';
import { ThrottledLogger } from '../pipeline/throttled-logger';
import { RecordFactory } from '../records/record.factory';
import { resolveRequestId, traceIdFrom } from './request-id';
import { ClientAddress, RequestState, splitUrl } from './request-state';
import { compileSkipPaths } from './skip-paths';

type Headers = Record<string, string | string[] | undefined>;

/** HTTP status for a request the client abandoned before the response (nginx's convention). */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * The platform-independent part of request tracking: opens a `RequestState` when a
 * request arrives and turns it into one `api_access_logs` row when the response is done.
 * Used by the Express middleware and the Fastify hooks.
 */
@Injectable()
export class RequestTracker {
  private readonly skip: (path: string) => boolean;
  private readonly throttled = new ThrottledLogger(new Logger('RequestTracking'));

  constructor(
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: ResolvedAnalyticsOptions,
    private readonly sink: RecordSink,
    private readonly counters: AnalyticsCounters,
    private readonly factory: RecordFactory,
  ) {
    this.skip = compileSkipPaths(options.skipPaths);
  }

  private readonly resolveUser = (request: unknown) => this.userIdOf(request);

  /** A new state for this request, or undefined when its path is skipped. */
  begin(
    request: unknown,
    method: string,
    url: string,
    headers: Headers,
    ip: ClientAddress,
  ): RequestState | undefined {
    const { path, query } = splitUrl(url);
    if (this.skip(path)) return undefined;
    const length = headers['content-length'];
    return new RequestState(
      request,
      this.resolveUser,
      performance.now(),
      Date.now(),
      method,
      path,
      query,
      resolveRequestId(headers['x-request-id']),
      traceIdFrom(headers.traceparent),
      ip,
      headers['user-agent'] as string | undefined,
      length === undefined ? undefined : Number(length) || 0,
    );
  }

  /** Reads the user id with the configured `getUserId`; never throws. */
  userIdOf(request: unknown): string | undefined {
    try {
      const id = this.options.getUserId(request);
      return id === undefined || id === null || id === '' ? undefined : String(id);
    } catch (err) {
      this.captureFailed(err);
      return undefined;
    }
  }

  /** Records the finished request, honouring sampling and `trackAuthenticatedOnly`. */
  end(state: RequestState, statusCode: number, responseSize: number | undefined): void {
    try {
      const userId = state.userId;
      if (state.exception !== undefined) this.settleException(state, statusCode);
      // Errors are always kept: neither sampling nor trackAuthenticatedOnly drops them.
      const isError = statusCode >= 400 || state.errorMessage !== undefined;
      if (!isError && this.options.trackAuthenticatedOnly && !userId) {
        this.counters.skipped++;
        return;
      }
      if (!isError && this.options.sampling.enabled && Math.random() >= this.options.sampling.rate) {
        this.counters.skipped++;
        return;
      }
      if (statusCode >= 400 && state.errorMessage === undefined) state.errorMessage = STATUS_CODES[statusCode];
      state.finish(statusCode, responseSize);
      // The row is built when the batch leaves (BatchEncoder), not on the request path.
      this.sink.add(state);
    } catch (err) {
      this.captureFailed(err);
    }
  }

  /**
   * The message of the exception Nest answered with (the handler's, a guard's, a pipe's, an
   * interceptor's), when the client received an error status: an exception filter that
   * answered with a success (an SPA's fallback page, a redirect to the login page) leaves the
   * row a success. Nest's own 404 for a path no route matches keeps the status text (`Not
   * Found`): its message only repeats the method and URL.
   */
  private settleException(state: RequestState, statusCode: number): void {
    if (state.errorMessage === undefined && statusCode >= 400 && !isNestNotFound(state, statusCode)) {
      state.errorMessage = this.factory.sanitizer.errorMessage(state.exception);
    }
    state.exception = undefined;
  }

  /**
   * Records a response the server closed before it was complete (a streamed file whose read
   * failed): the status the client received, with a message, so it is never taken for a
   * client that left.
   */
  cutShort(state: RequestState, statusCode: number): void {
    state.errorMessage ??= 'The server closed the connection before the response was complete';
    this.end(state, statusCode, undefined);
  }

  /**
   * Records a request the client left before its response was complete: status 499 when
   * nothing was sent yet, else the status it had received (an SSE stream the client closed,
   * a download it stopped), with a message either way. The size sent is unknown.
   */
  abandoned(state: RequestState, sentStatusCode?: number): void {
    if (sentStatusCode === undefined) {
      state.errorMessage ??= 'Client closed the connection before the response was sent';
      this.end(state, CLIENT_CLOSED_REQUEST, undefined);
      return;
    }
    state.errorMessage ??= 'Client closed the connection before the response was complete';
    this.end(state, sentStatusCode, undefined);
  }

  captureFailed(err: unknown): void {
    this.counters.captureErrors++;
    this.throttled.error('request', `Could not record a request: ${this.factory.sanitizer.logMessage(err)}`);
  }
}

/**
 * Whether a connection that closed before its response was complete was closed by the client
 * (its end was read, or it was reset) rather than by the server (`res.destroy()`).
 */
export function closedByClient(socket: { readableEnded?: boolean; errored?: unknown } | null | undefined): boolean {
  return !socket || socket.readableEnded === true || (socket.errored !== null && socket.errored !== undefined);
}

/** A `content-length` header value as a number. */
export function contentLength(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(Array.isArray(value) ? value[0] : value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Nest's answer to a path no route matches: `NotFoundException('Cannot GET /path')`, not a 404 an app threw itself. */
function isNestNotFound(state: RequestState, statusCode: number): boolean {
  const message = (state.exception as { message?: unknown } | null)?.message;
  return statusCode === 404 && state.route === undefined && typeof message === 'string' && message.startsWith(`Cannot ${state.method} `);
}
