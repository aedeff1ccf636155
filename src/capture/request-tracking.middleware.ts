import type { IncomingMessage, ServerResponse } from 'node:http';
import { runInContext } from './request-context';
import { REQUEST_STATE, RequestState } from './request-state';
import { CLIENT_CLOSED_REQUEST, RequestTracker, contentLength } from './request-tracker';

type ExpressRequest = IncomingMessage & { originalUrl?: string; ip?: string; route?: { path?: string }; [REQUEST_STATE]?: RequestState };
type Next = (error?: unknown) => void;

/**
 * Express: a plain middleware mounted with `app.use()` before the routes (not through
 * Nest's middleware consumer, whose per-request path matching and wrapping cost more than
 * the work done here). It sees every request (404s and guard rejections included), echoes
 * the request id, runs the rest of the request inside its analytics context, and records
 * the row when the response is done.
 */
export function createExpressTracking(tracker: RequestTracker): (req: ExpressRequest, res: ServerResponse, next: Next) => void {
  return function analyticsRequestTracking(req, res, next) {
    const state = tracker.begin(req, req.method ?? 'GET', req.originalUrl ?? req.url ?? '/', req.headers, req.ip ?? req.socket?.remoteAddress);
    if (state === undefined) return next();
    req[REQUEST_STATE] = state;
    res.setHeader('x-request-id', state.requestId);
    res.once('close', () => {
      state.route ??= req.route?.path;
      const aborted = !res.writableFinished;
      if (aborted) state.errorMessage ??= 'Client closed the connection before the response was sent';
      tracker.end(state, aborted ? CLIENT_CLOSED_REQUEST : res.statusCode, contentLength(res.getHeader('content-length')));
    });
    runInContext(state, next);
  };
}
