import { ExceptionsHandler } from '@nestjs/core/exceptions/exceptions-handler';
import { currentContext, requestStateOf } from './request-context';
import type { RequestState } from './request-state';

const OBSERVED = Symbol.for('nestjs-analytics:route-exceptions-observed');

/** The part of Nest's `ExceptionsHandler` the hook uses: every HTTP route's exception passes through `next`. */
interface ExceptionsHandlerLike {
  next(exception: unknown, host: unknown): unknown;
}

/**
 * Lets request tracking see the exception Nest answers a request with: the handler's, or
 * one thrown outside it by a guard (`Forbidden resource`), a pipe (the validation
 * messages) or an interceptor.
 *
 * Nest has no hook that observes an exception without handling it: an exception filter
 * would have to answer the request, and a global one would shadow the app's own. So the
 * `next` method of Nest's `ExceptionsHandler`, which every HTTP route's exception passes
 * through on its way to the app's filters, is wrapped once per process. The wrapper only
 * notes the exception on the request's state (nothing outside a tracked request) and calls
 * Nest's method unchanged; it runs on the error path alone.
 */
export function observeRouteExceptions(prototype: ExceptionsHandlerLike = ExceptionsHandler.prototype): void {
  if (typeof prototype.next !== 'function' || Object.prototype.hasOwnProperty.call(prototype, OBSERVED)) return;
  const next = prototype.next;
  Object.defineProperty(prototype, OBSERVED, { value: true });
  prototype.next = function analyticsObservedNext(this: ExceptionsHandlerLike, exception: unknown, host: unknown) {
    noteRouteException(exception);
    return next.call(this, exception, host);
  };
}

/** Keeps the first exception of the current request. */
export function noteRouteException(exception: unknown): void {
  const state = requestStateOf(currentContext());
  if (state !== undefined) noteException(state, exception);
}

/** Keeps a request's first exception (its message is read when the response is done), unless a message is already set. */
function noteException(state: RequestState, exception: unknown): void {
  if (state.errorMessage === undefined && state.exception === undefined) state.exception = exception;
}
