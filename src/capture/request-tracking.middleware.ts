import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runWithAnalyticsContext } from './request-context';
import { REQUEST_STATE } from './request-state';
import { CLIENT_CLOSED_REQUEST, RequestTracker, contentLength } from './request-tracker';

/** The path this middleware is mounted on; Express reports it as `req.route` when no route matched. */
export const TRACK_ALL_ROUTES = '{*path}';

type ExpressRequest = IncomingMessage & { originalUrl?: string; ip?: string; route?: { path?: string }; [REQUEST_STATE]?: unknown };

/**
 * Express: sees every request (404s and guard rejections included), echoes the request
 * id, runs the rest of the request inside its analytics context, and records the row
 * when the response is done. Registered by the module for all routes.
 */
@Injectable()
export class RequestTrackingMiddleware implements NestMiddleware {
  constructor(private readonly tracker: RequestTracker) {}

  use(req: ExpressRequest, res: ServerResponse, next: (error?: unknown) => void): void {
    const state = this.tracker.begin(req.method ?? 'GET', req.originalUrl ?? req.url ?? '/', req.headers, req.ip ?? req.socket?.remoteAddress);
    if (!state) return next();
    req[REQUEST_STATE] = state;
    res.setHeader('x-request-id', state.requestId!);
    res.once('close', () => {
      const route = req.route?.path;
      if (route !== undefined && !route.endsWith(TRACK_ALL_ROUTES)) state.route ??= route;
      const aborted = !res.writableFinished;
      if (aborted) state.errorMessage ??= 'Client closed the connection before the response was sent';
      this.tracker.end(state, aborted ? CLIENT_CLOSED_REQUEST : res.statusCode, contentLength(res.getHeader('content-length')), req);
    });
    runWithAnalyticsContext(state, next);
  }
}
