import { getAnalyticsContext, requestStateOf, runInContext, runWithAnalyticsContext } from './request-context';
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
        const nested = getAnalyticsContext();
        expect(nested?.userId).toBeUndefined();
        req.user = { id: 'u-3' }; // the guard runs after the middleware
        expect(nested).toMatchObject({ requestId: 'r-2', userId: 'u-3', tenantId: 't-2', ipAddress: '127.0.0.1' });
        expect(requestStateOf(nested)).toBe(state);
      });
    });
    expect(state.userId).toBe('u-3');
  });
});
