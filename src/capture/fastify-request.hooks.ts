import { runWithAnalyticsContext } from './request-context';
import { REQUEST_STATE, RequestState } from './request-state';
import { RequestTracker, contentLength } from './request-tracker';

interface FastifyLikeRequest {
  method: string;
  url: string;
  ip: string;
  headers: Record<string, string | string[] | undefined>;
  routeOptions?: { url?: string };
  [REQUEST_STATE]?: RequestState;
}
interface FastifyLikeReply {
  statusCode: number;
  header(name: string, value: string): unknown;
  getHeader(name: string): unknown;
}
interface FastifyLikeInstance {
  addHook(name: 'onRequest' | 'onResponse', hook: (req: FastifyLikeRequest, reply: FastifyLikeReply, done: () => void) => void): unknown;
}

/**
 * Fastify: native `onRequest`/`onResponse` hooks (added before the routes are registered)
 * see every request including 404s, with Fastify's own `request.ip` (trustProxy) and
 * route template.
 */
export function registerFastifyHooks(fastify: FastifyLikeInstance, tracker: RequestTracker): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const state = tracker.begin(request.method, request.url, request.headers, request.ip);
    if (!state) return done();
    state.route = request.routeOptions?.url;
    request[REQUEST_STATE] = state;
    reply.header('x-request-id', state.requestId!);
    runWithAnalyticsContext(state, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const state = request[REQUEST_STATE];
    if (state) tracker.end(state, reply.statusCode, contentLength(reply.getHeader('content-length')), request);
    done();
  });
}
