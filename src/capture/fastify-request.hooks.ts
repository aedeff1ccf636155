import { runInContext } from './request-context';
import { RequestState } from './request-state';
import { RequestTracker, contentLength } from './request-tracker';

interface FastifyLikeRequest {
  method: string;
  url: string;
  ip: string;
  headers: Record<string, string | string[] | undefined>;
  routeOptions?: { url?: string };
}
interface FastifyLikeReply {
  statusCode: number;
  header(name: string, value: string): unknown;
  getHeader(name: string): unknown;
}
type Hook = (req: FastifyLikeRequest, reply: FastifyLikeReply, done: () => void) => void;
type AbortHook = (req: FastifyLikeRequest, done: () => void) => void;
interface FastifyLikeInstance {
  addHook(name: 'onRequest' | 'preHandler' | 'onResponse', hook: Hook): unknown;
  addHook(name: 'onRequestAbort', hook: AbortHook): unknown;
}

/**
 * Fastify: native hooks added before the routes are registered. They see every request
 * including 404s, with Fastify's own `request.ip` (trustProxy) and route template.
 * `preHandler` re-enters the context because body parsing runs outside it. A request the
 * client abandons before the response (`onRequestAbort`) is recorded with status 499, as on
 * Express.
 */
export function registerFastifyHooks(fastify: FastifyLikeInstance, tracker: RequestTracker): void {
  // Kept beside the request rather than on it, so Fastify's request shape never changes.
  const states = new WeakMap<FastifyLikeRequest, RequestState>();
  fastify.addHook('onRequest', (request, reply, done) => {
    const state = tracker.begin(request, request.method, request.url, request.headers, request.ip);
    if (state === undefined) return done();
    state.route = request.routeOptions?.url;
    states.set(request, state);
    reply.header('x-request-id', state.requestId);
    runInContext(state, done);
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    const state = states.get(request);
    return state === undefined ? done() : runInContext(state, done);
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
      tracker.abandoned(state);
    }
    done();
  });
}
