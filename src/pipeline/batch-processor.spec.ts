import { Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { resolveAnalyticsOptions } from '../options/analytics-options.factory';
import type { BatchOutcomes } from './batch-outcomes';
import { BatchProcessor } from './batch-processor';
import type { BatchWriter } from './batch-writer';

/** The two calls `start()` makes on Bull's queue; `process()` settles as the test says. */
function queueWhoseProcess(settle: () => Promise<void>): Queue {
  return { on: jest.fn(), process: jest.fn(settle) } as unknown as Queue;
}

describe('BatchProcessor.start', () => {
  let error: jest.SpyInstance;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeEach(() => {
    unhandled.length = 0;
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
    jest.restoreAllMocks();
  });

  const start = (queue: Queue) =>
    new BatchProcessor(queue, resolveAnalyticsOptions({}, {}), {} as BatchWriter, {} as BatchOutcomes).start();

  it.each([
    ['with an error', new Error('connect ECONNREFUSED 127.0.0.1:6379'), 'connect ECONNREFUSED 127.0.0.1:6379'],
    // Bull rejects without a reason when the queue closes before Redis was ever reachable.
    ['without a reason', undefined, 'the queue closed before Redis was reachable'],
  ])('logs a worker that could not start (%s) and never leaves a rejection unhandled', async (_label, reason, logged) => {
    start(queueWhoseProcess(() => Promise.reject(reason)));
    await new Promise((r) => setTimeout(r, 10));

    expect(error).toHaveBeenCalledWith(expect.stringContaining(`Analytics Redis connection error: ${logged}`));
    expect(unhandled).toEqual([]);
  });
});

describe('BatchProcessor: failed batches', () => {
  afterEach(() => jest.restoreAllMocks());

  /** Starts a processor and returns what Bull's 'failed' event calls, and the outcomes it reports. */
  function failedListener() {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const on = jest.fn();
    const queue = { on, process: jest.fn(() => new Promise(() => undefined)) } as unknown as Queue;
    const outcomes = { failed: jest.fn() } as unknown as BatchOutcomes & { failed: jest.Mock };
    new BatchProcessor(queue, resolveAnalyticsOptions({}, {}), {} as BatchWriter, outcomes).start();
    const [, listener] = on.mock.calls.find(([event]) => event === 'failed')!;
    return { listener: listener as (job: unknown, err: Error) => void, outcomes };
  }
  const data = { v: 2, tables: { audit_logs: { columns: ['id'], values: [['a'], ['b']] } } };

  it('counts a batch Bull failed for stalling more often than allowed, though no attempt was counted', () => {
    const { listener, outcomes } = failedListener();
    listener({ id: 'j-1', data, opts: { attempts: 10 }, attemptsMade: 0, finishedOn: Date.now() }, new Error('job stalled more than allowable limit'));
    expect(outcomes.failed).toHaveBeenCalledWith('j-1', 2, 0);
    expect(Logger.prototype.error).toHaveBeenCalledWith(expect.stringContaining('exhausted its attempts (last error: job stalled more than allowable limit)'));
  });

  it('does not count a failed attempt Bull will retry', () => {
    const { listener, outcomes } = failedListener();
    listener({ id: 'j-2', data, opts: { attempts: 10 }, attemptsMade: 1 }, new Error('connection refused'));
    expect(outcomes.failed).not.toHaveBeenCalled();
  });
});
