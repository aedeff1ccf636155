import type { IncomingMessage, ServerResponse } from 'node:http';
import { runInContext } from './request-context';
import { RequestTracker, contentLength } from './request-tracker';

type ExpressRequest = IncomingMessage & {
  originalUrl?: string;
  ip?: string;
  route?: { path?: string };
  app?: { get(setting: string): unknown };
};

/**
 * `req.ip` as Express resolves it. Without a `trust proxy` setting that is the socket's
 * address, read directly: Express's getter re-parses X-Forwarded-For on every call.
 */
function clientIp(req: ExpressRequest): string | undefined {
  return req.app === undefined || req.app.get('trust proxy') ? req.ip : req.socket?.remoteAddress;
}
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
    const state = tracker.begin(req, req.method ?? 'GET', req.originalUrl ?? req.url ?? '/', req.headers, clientIp(req));
    if (state === undefined) return next();
    // The state stays in this closure: adding a property to `req` would change its hidden
    // class and slow every later property access of Express and Nest (measured: ~9 µs/request).
    res.setHeader('x-request-id', state.requestId);
    // 'close' fires once per response; `on` avoids the wrapper `once` allocates.
    res.on('close', () => {
      state.route ??= req.route?.path;
      const size = contentLength(res.getHeader('content-length'));
      if (res.writableFinished) tracker.end(state, res.statusCode, size);
      else tracker.abandoned(state, size);
    });
    runInContext(state, next);
  };
}
