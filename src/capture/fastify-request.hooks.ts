import { AnalyticsContext, currentContext, requestStateOf, runInContext } from './request-context';
import { RequestState } from './request-state';
import { RequestTracker, closedByClient, contentLength } from './request-tracker';

interface FastifyLikeRequest {
  method: string;
  url: string;
  ip: string;
  headers: Record<string, string | string[] | undefined>;
  routeOptions?: { url?: string };
  raw?: { socket?: { readableEnded?: boolean; errored?: unknown } | null };
}
interface FastifyLikeReply {
  statusCode: number;
  raw?: { headersSent?: boolean };
  header(name: string, value: string): unknown;
  getHeader(name: string): unknown;
}
type Hook = (req: FastifyLikeRequest, reply: FastifyLikeReply, done: () => void) => void;
type AbortHook = (req: FastifyLikeRequest, done: () => void) => void;
interface FastifyLikeInstance {
  addHook(name: 'onRequest' | 'preHandler' | 'onResponse', hook: Hook): unknown;
  addHook(name: 'onRequestAbort', hook: AbortHook): unknown;
}
/** NestJS's FastifyAdapter: its `setOnRequestHook` slot runs in an `onRequest` hook added before Nest middleware. */
export interface FastifyLikeAdapter {
  getInstance(): FastifyLikeInstance;
  setOnRequestHook?(hook: Hook): void;
  onRequestHook?: Hook;
}

/**
 * Fastify: native hooks added before the routes are registered. They see every request
 * including 404s, with Fastify's own `request.ip` (trustProxy) and route template.
 *
 * The request is opened in the adapter's `setOnRequestHook` slot, which runs before Nest
 * middleware (middie), so that a record a middleware makes belongs to the request and a
 * `runWithAnalyticsContext` there nests in it; a hook the app sets there itself still runs,
 * after ours. Without that slot (older adapters) it is a plain `onRequest` hook.
 * `preHandler` re-enters the request's context, as body parsing runs outside it: the one a
 * middleware made, if it made one. A request the client abandons before the response
 * (`onRequestAbort`) is recorded with status 499, as on Express.
 */
export function registerFastifyHooks(adapter: FastifyLikeAdapter, tracker: RequestTracker): void {
  const fastify = adapter.getInstance();
  // Kept beside the request rather than on it, so Fastify's request shape never changes.
  const states = new WeakMap<FastifyLikeRequest, RequestState>();
  /** The context a middleware nested in the request's (runWithAnalyticsContext), to re-enter. */
  const nested = new WeakMap<FastifyLikeRequest, AnalyticsContext>();
  const open: Hook = (request, reply, done) => {
    const state = tracker.begin(request, request.method, request.url, request.headers, request.ip);
    if (state === undefined) return done();
    state.route = request.routeOptions?.url;
    state.reply = reply;
    states.set(request, state);
    reply.header('x-request-id', state.requestId);
    runInContext(state, done);
  };
  if (typeof adapter.setOnRequestHook === 'function') installFirst(adapter, open);
  else fastify.addHook('onRequest', open);
  // Added after middie, so it runs after Nest middleware: keeps a context they nested.
  fastify.addHook('onRequest', (request, _reply, done) => {
    const state = states.get(request);
    const current = currentContext();
    if (state !== undefined && current !== state && requestStateOf(current) === state) nested.set(request, current!);
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    const state = states.get(request);
    if (state === undefined) return done();
    const context = nested.get(request) ?? state;
    // Still inside it: nothing to do.
    if (currentContext() === context) return done();
    runInContext(context, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const state = states.get(request);
    if (state !== undefined) {
      states.delete(request);
      tracker.end(state, reply.statusCode, contentLength(reply.getHeader('content-length')));
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    const state = states.get(request);
    if (state !== undefined) {
      states.delete(request);
      // Fastify calls a connection the server closed (a stream that failed) an abort too.
      const reply = state.reply as FastifyLikeReply;
      if (!closedByClient(request.raw?.socket)) tracker.cutShort(state, reply.statusCode);
      else tracker.abandoned(state, reply.raw?.headersSent ? reply.statusCode : undefined);
    }
    done();
  });
}

/**
 * Puts `open` in the adapter's request-hook slot, then whatever hook the app has set there,
 * now or later (`setOnRequestHook` is wrapped so that a later hook is chained, not swapped in).
 */
function installFirst(adapter: FastifyLikeAdapter, open: Hook): void {
  const setHook = adapter.setOnRequestHook!.bind(adapter);
  let appHook: Hook | undefined = adapter.onRequestHook;
  setHook((request, reply, done) => open(request, reply, appHook ? () => appHook!(request, reply, done) : done));
  adapter.setOnRequestHook = (hook: Hook) => {
    appHook = hook;
  };
}
