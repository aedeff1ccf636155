import { type IncomingMessage, ServerResponse } from 'node:http';
import { readIp, readRoute, readStatusCode } from './read-property';
import { currentContext, runInContext } from './request-context';
import { ClientAddress, RequestState } from './request-state';
import { RequestTracker, closedByClient, contentLength } from './request-tracker';

type ExpressRequest = IncomingMessage & { originalUrl?: string };
type Next = (error?: unknown) => void;
type Handle = (this: ExpressAppLike, req: ExpressRequest, res: ServerResponse, callback?: Next) => void;

/** The parts of an Express application that tracking uses. */
export interface ExpressAppLike {
  handle?: Handle;
  get(setting: string): unknown;
  use(handler: (req: ExpressRequest, res: ServerResponse, next: Next) => void): unknown;
}

// Called on the response, not looked up on it: see trackExpressApp.
const getHeader = ServerResponse.prototype.getHeader;

/**
 * The socket's address; with `trust proxy`, Express's `req.ip`, read later: it needs
 * Express's prototypes, which `handle` has not set yet.
 */
const clientAddress = (app: ExpressAppLike, req: ExpressRequest): ClientAddress =>
  app.get('trust proxy') ? readIp : req.socket?.remoteAddress;

/**
 * Express: wraps the application's `handle`, the method every request enters by, whatever
 * server it came from (the app's own, a second HTTPS server, `supertest(app)`, serverless
 * adapters). It opens the request's state, echoes the request id, runs the request inside
 * its analytics context and records the row when the response is done. It sees every
 * request (404s and guard rejections included), without a router layer.
 *
 * It reads the request before Express re-parents `req` and `res` (`Object.setPrototypeOf`
 * in `handle`). On Node 20 (V8 11), every property added after that gives each request
 * object a map of its own, so every later property read misses its inline cache and costs
 * a lookup in the runtime (about half a microsecond; measured with callgrind, such misses
 * are about two thirds of a bare Express hello-world request). What is read after the response
 * (status, route, size, user, session) is kept to a minimum for the same reason, and read
 * without an inline cache there (read-property.ts). Node 24's V8 keeps the maps shared.
 *
 * The state stays in closures and in the context, never on `req`. An app without a
 * `handle` method (not Express) gets the same tracking as a plain middleware.
 */
export function trackExpressApp(app: ExpressAppLike, tracker: RequestTracker): void {
  const handle = app.handle;
  if (typeof handle !== 'function') {
    app.use((req, res, next) => {
      const state = open(tracker, req, res, req.originalUrl ?? req.url, clientAddress(app, req));
      return state === undefined ? next() : runInContext(state, next);
    });
    return;
  }
  app.handle = function analyticsTrackedHandle(req, res, callback) {
    const current = currentContext();
    // A request dispatched again (a mounted copy of the app, an internal re-route) is already tracked.
    if (current instanceof RequestState && current.request === req) return handle.call(this, req, res, callback);
    const state = open(tracker, req, res, req.originalUrl ?? req.url, clientAddress(this, req));
    if (state === undefined) return handle.call(this, req, res, callback);
    runInContext(state, () => handle.call(this, req, res, callback));
  };
}

/** Opens the state, echoes the request id and records the row when the response is done; undefined for a skipped path. */
function open(
  tracker: RequestTracker,
  req: ExpressRequest,
  res: ServerResponse,
  url: string | undefined,
  ip: ClientAddress,
): RequestState | undefined {
  const state = tracker.begin(req, req.method ?? 'GET', url ?? '/', req.headers, ip);
  if (state === undefined) return undefined;
  res.setHeader('x-request-id', state.requestId);
  // 'finish': everything was handed to the OS. A flag set here costs less than reading
  // `res.writableFinished` (four property reads) in the 'close' listener.
  let finished = false;
  res.on('finish', () => {
    finished = true;
  });
  // 'close' fires once per response, also when the client went away first; `on` avoids the wrapper `once` allocates.
  res.on('close', () => {
    // Express has re-parented req and res by now: see read-property.ts.
    state.route ??= readRoute(req)?.path;
    if (finished) tracker.end(state, readStatusCode(res), contentLength(getHeader.call(res, 'content-length')));
    else if (closedByClient(req.socket)) tracker.abandoned(state, res.headersSent ? readStatusCode(res) : undefined);
    else tracker.cutShort(state, readStatusCode(res));
  });
  return state;
}
