import { currentContext, getAnalyticsContext, requestStateOf, runInContext, runWithAnalyticsContext } from './request-context';
import { RequestState } from './request-state';

describe('runWithAnalyticsContext', () => {
  it('nests: inner fields win, the rest come from the outer context, and an explicit undefined is not inherited', () => {
    runWithAnalyticsContext({ requestId: 'r-1', userId: 'u-1', sourceSystem: 'worker' }, () => {
      runWithAnalyticsContext({ tenantId: 't-1', userId: 'u-2' }, () => {
        expect(getAnalyticsContext()).toMatchObject({ requestId: 'r-1', userId: 'u-2', tenantId: 't-1', sourceSystem: 'worker' });
      });
      runWithAnalyticsContext({ requestId: undefined, userId: undefined }, () => {
        expect(getAnalyticsContext()?.requestId).toBeUndefined();
        expect(getAnalyticsContext()?.userId).toBeUndefined();
        expect(getAnalyticsContext()?.sourceSystem).toBe('worker');
      });
    });
  });

  it('inside a request, reads the request when a record asks: the user a later guard set, and the request it belongs to', () => {
    const req: { user?: { id: string } } = {};
    const state = new RequestState(req, (r) => (r as typeof req).user?.id, 0, 0, 'GET', '/x', '', 'r-2', undefined, '127.0.0.1', undefined, undefined);
    runInContext(state, () => {
      runWithAnalyticsContext({ tenantId: 't-2' }, () => {
        const nested = currentContext();
        expect(nested?.userId).toBeUndefined();
        req.user = { id: 'u-3' }; // the guard runs after the middleware
        expect(nested).toMatchObject({ requestId: 'r-2', userId: 'u-3', tenantId: 't-2', ipAddress: '127.0.0.1' });
        expect(requestStateOf(nested)).toBe(state);
      });
    });
    expect(state.userId).toBe('u-3');
  });

  it('getAnalyticsContext gives a plain snapshot: never the request itself, safe to serialize', () => {
    const req = { user: { id: 'u-4' }, socket: {} as Record<string, unknown> };
    req.socket.self = req.socket; // a live request is circular
    const state = new RequestState(req, (r) => (r as typeof req).user.id, 0, 0, 'GET', '/x', '', 'r-4', undefined, '10.0.0.1', 'agent', undefined);
    runInContext(state, () => {
      const context = getAnalyticsContext();
      expect(context).toEqual({ requestId: 'r-4', userId: 'u-4', ipAddress: '10.0.0.1', userAgent: 'agent', sourceSystem: 'api' });
      expect(Object.getPrototypeOf(context)).toBe(Object.prototype);
      expect(JSON.parse(JSON.stringify(context))).toEqual(context);
      runWithAnalyticsContext({ tenantId: 't-4' }, () => expect(getAnalyticsContext()).toMatchObject({ requestId: 'r-4', userId: 'u-4', tenantId: 't-4' }));
    });
    expect(getAnalyticsContext()).toBeUndefined();
  });
});
