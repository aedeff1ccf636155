import { isObservable, Observable } from 'rxjs';
import { currentContext, runInContext } from './request-context';

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as any).then === 'function';

export { isThenable };

/**
 * Calls `invoke` and reports its outcome without changing it: a sync value stays sync, a
 * promise is returned as the same object, an Observable stays an Observable (reported when
 * it completes, or is unsubscribed before that, with its last value). Errors are reported and rethrown unchanged.
 * The callbacks must not throw (the recorders catch their own failures).
 */
export function observeCall<T>(
  invoke: () => T,
  onSuccess: (result: unknown, subscribedAt?: number) => void,
  onFailure: (error: unknown, subscribedAt?: number) => void,
): T {
  let result: T;
  try {
    result = invoke();
  } catch (err) {
    onFailure(err);
    throw err;
  }
  if (isObservable(result)) return observeObservable(result as Observable<unknown>, onSuccess, onFailure) as T;
  if (isThenable(result)) {
    // Observe without replacing: the caller keeps the very promise the method returned
    // (SDK promises such as OpenAI's APIPromise keep their helpers). The derived promise
    // handles the rejection, so observing never causes an unhandled rejection.
    (result as PromiseLike<unknown>).then(onSuccess, onFailure);
    return result;
  }
  onSuccess(result);
  return result;
}

/**
 * The same Observable, reporting each subscription's outcome once — a cold Observable does
 * its work again for each — timed from the subscription: on completion or error, and on an
 * unsubscribe before either (a client that left an SSE stream, a `take(1)` on a streamed LLM
 * answer), which is a call that happened too. Reported in the context of the call, not of
 * whatever made the Observable emit (another request's `subject.next()`). Written with the
 * Observable constructor rather than `tap({ unsubscribe })`, which needs rxjs 7.3.
 */
function observeObservable(
  source: Observable<unknown>,
  onSuccess: (result: unknown, subscribedAt: number) => void,
  onFailure: (error: unknown, subscribedAt: number) => void,
): Observable<unknown> {
  const context = currentContext();
  return new Observable((subscriber) => {
    const subscribedAt = performance.now();
    let last: unknown;
    let settled = false;
    const report = (outcome: () => void) => {
      settled = true;
      runInContext(context, outcome);
    };
    const subscription = source.subscribe({
      next: (value) => {
        last = value;
        subscriber.next(value);
      },
      error: (err) => {
        report(() => onFailure(err, subscribedAt));
        subscriber.error(err);
      },
      complete: () => {
        report(() => onSuccess(last, subscribedAt));
        subscriber.complete();
      },
    });
    return () => {
      subscription.unsubscribe();
      if (!settled) report(() => onSuccess(last, subscribedAt));
    };
  });
}

/** `err.code ?? err.status ?? err.name`, as a string. */
export function errorCodeOf(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as Record<string, unknown>;
  const code = e.code ?? e.status ?? e.statusCode ?? e.name;
  return code === undefined || code === null ? undefined : String(code);
}

export function errorMessageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

/** A status code carried by a result or an error: `status`, `statusCode`, `response.status`, or a numeric `code`. */
export function statusCodeOf(value: unknown): number | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, any>;
  for (const candidate of [v.status, v.statusCode, v.response?.status, v.response?.statusCode, v.code]) {
    const n = typeof candidate === 'string' && /^\d{3}$/.test(candidate) ? Number(candidate) : candidate;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599) return n;
  }
  return undefined;
}
