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
