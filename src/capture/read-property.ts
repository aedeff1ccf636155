/**
 * Reading what the module needs from the platform request and response once the app has
 * seen them (route, status, user, session, Express's `req.ip`).
 *
 * Express re-parents every request and response with `Object.setPrototypeOf` and then adds
 * properties to them. V8 before 13 (Node 20 and 22) gives each of them a map of its own, so
 * a plain `req.user` in a function shared by all requests misses its inline cache every
 * time: V8 looks the property up in the runtime and caches a handler for a map that is
 * never seen again (callgrind, Node 20: ≈2,500 instructions a read, and the cached handlers
 * are garbage the next mark-compact has to trace). There the readers use `Reflect.get`,
 * which V8 compiles to its `GetProperty` builtin: it walks the object and its prototypes
 * without a cache, for a fifth of that. V8 13 and later (Node 24+) keep the maps shared,
 * the inline caches hit, and `Reflect.get` would be the slower of the two, so there the
 * readers are plain property reads. Measured with `npm run bench:instructions`; the design
 * notes have the numbers.
 */

/** True where V8 gives each re-parented Express request and response a map of its own. */
const MAP_PER_REQUEST = Number(process.versions.v8.split('.')[0]) < 13;

const isObject = (target: unknown): boolean => (typeof target === 'object' && target !== null) || typeof target === 'function';

/**
 * `target[key]` through `Reflect.get` (getters included), or undefined for a primitive or
 * a missing target.
 */
export function readProperty(target: unknown, key: PropertyKey): unknown {
  return isObject(target) ? Reflect.get(target as object, key) : undefined;
}

type Reader = (target: unknown) => unknown;
// Each plain reader is its own function, so its property read has an inline cache of its own.
const plain = {
  route: ((target: any) => (isObject(target) ? target.route : undefined)) as Reader,
  statusCode: ((target: any) => (isObject(target) ? target.statusCode : undefined)) as Reader,
  ip: ((target: any) => (isObject(target) ? target.ip : undefined)) as Reader,
  user: ((target: any) => (isObject(target) ? target.user : undefined)) as Reader,
  sessionID: ((target: any) => (isObject(target) ? target.sessionID : undefined)) as Reader,
  session: ((target: any) => (isObject(target) ? target.session : undefined)) as Reader,
  headers: ((target: any) => (isObject(target) ? target.headers : undefined)) as Reader,
};
type Key = keyof typeof plain;
const reader = (key: Key): Reader => (MAP_PER_REQUEST ? (target) => readProperty(target, key) : plain[key]);

/** Express's `req.route`. */
export const readRoute = reader('route') as (req: unknown) => { path?: string } | undefined;
/** The response's `statusCode`. */
export const readStatusCode = reader('statusCode') as (res: unknown) => number;
/** Express's `req.ip` (X-Forwarded-For with `trust proxy`). */
export const readIp = reader('ip') as (req: unknown) => string | undefined;
/** `req.user`, as guards and Passport set it. */
export const readUser = reader('user') as (req: unknown) => { id?: unknown; sub?: unknown; userId?: unknown } | null | undefined;
const readSessionID = reader('sessionID');
const readSession = reader('session');
const readHeaders = reader('headers') as (req: unknown) => { cookie?: string } | undefined;

/**
 * The session the request came with: express-session's `req.sessionID` when the request's
 * cookie carries it, else the `id` of `req.session`. express-session makes a `sessionID` for
 * every request, also one whose session is never saved (`saveUninitialized: false`, a client
 * without cookies); only one the client sent back names a session. Its cookie holds the id
 * as it is (`s%3A<id>.<signature>`).
 */
export function readSessionId(req: unknown): string | undefined {
  const sessionID = readSessionID(req);
  if (typeof sessionID === 'string') return readHeaders(req)?.cookie?.includes(sessionID) ? sessionID : undefined;
  const id = (readSession(req) as { id?: unknown } | null | undefined)?.id;
  return id === undefined || id === null ? undefined : String(id);
}
