import { ExceptionsHandler } from '@nestjs/core/exceptions/exceptions-handler';
import { runInContext, runWithAnalyticsContext } from './request-context';
import { RequestState } from './request-state';
import { observeRouteExceptions } from './route-exceptions.hook';

const newState = () => new RequestState({}, () => undefined, 0, 0, 'GET', '/x', '', 'r-1', undefined, undefined, undefined, undefined);

describe('observeRouteExceptions', () => {
  class FakeHandler {
    calls: unknown[][] = [];
    next(exception: unknown, host: unknown): string {
      this.calls.push([exception, host]);
      return 'answered';
    }
  }
  observeRouteExceptions(FakeHandler.prototype);

  it('notes the first exception on the request it belongs to, then calls Nest\'s method unchanged', () => {
    const handler = new FakeHandler();
    const state = newState();
    const first = new Error('first');
    runInContext(state, () => {
      expect(handler.next(first, 'host')).toBe('answered');
      handler.next(new Error('second'), 'host');
    });
    expect(state.exception).toBe(first);
    expect(handler.calls).toEqual([[first, 'host'], [expect.any(Error), 'host']]);
  });

  it('finds the request through a nested context, and leaves a handler\'s own error in place', () => {
    const state = newState();
    runInContext(state, () => runWithAnalyticsContext({ tenantId: 't' }, () => new FakeHandler().next(new Error('guard'), 'host')));
    expect(state.exception).toEqual(new Error('guard'));
    const handled = newState();
    handled.errorMessage = 'handler threw';
    runInContext(handled, () => new FakeHandler().next(new Error('same error, seen again'), 'host'));
    expect(handled.exception).toBeUndefined();
  });

  it('does nothing outside a request, and wraps a prototype once', () => {
    const handler = new FakeHandler();
    expect(handler.next('x', 'host')).toBe('answered');
    const wrapped = FakeHandler.prototype.next;
    observeRouteExceptions(FakeHandler.prototype);
    expect(FakeHandler.prototype.next).toBe(wrapped);
  });

  it('finds Nest\'s ExceptionsHandler by default', () => {
    const original = ExceptionsHandler.prototype.next;
    observeRouteExceptions();
    observeRouteExceptions();
    expect(ExceptionsHandler.prototype.next).not.toBe(original);
    expect(ExceptionsHandler.prototype.next.name).toBe('analyticsObservedNext');
  });
});
