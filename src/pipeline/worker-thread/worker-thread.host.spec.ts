import { Logger } from '@nestjs/common';
import { resolveAnalyticsOptions } from '../../options/analytics-options.factory';
import type { BatchOutcomes } from '../batch-outcomes';
import type { BatchProcessor } from '../batch-processor';
import { WorkerThreadHost } from './worker-thread.host';
import { threadOptions } from './worker-thread.protocol';

describe('WorkerThreadHost.start', () => {
  afterEach(() => jest.restoreAllMocks());

  it('runs the worker on the main thread, and says why, when the options cannot be passed to a thread', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const options = resolveAnalyticsOptions(
      { redis: { cluster: { nodes: ['127.0.0.1:7000'], options: { clusterRetryStrategy: () => 100 } } } },
      {},
    );
    const processor = { start: jest.fn() };
    const host = new WorkerThreadHost(options, {} as BatchOutcomes, processor as unknown as BatchProcessor);

    host.start();

    expect(host.running).toBe(false);
    expect(processor.start).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/runs on the main thread: it could not start in a worker thread \(.*could not be cloned/));
  });

  it('with worker.thread: false starts no thread', () => {
    const options = resolveAnalyticsOptions({ worker: { thread: false } }, {});
    const processor = { start: jest.fn() };
    const host = new WorkerThreadHost(options, {} as BatchOutcomes, processor as unknown as BatchProcessor);

    host.start();

    expect(host.running).toBe(false);
    expect(processor.start).toHaveBeenCalledTimes(1);
  });
});

describe('threadOptions', () => {
  it("keeps what the thread's worker needs, as resolved in the process, and leaves functions behind", () => {
    const options = resolveAnalyticsOptions(
      { database: { url: 'postgres://u@db:5432/app', schema: 'metrics' }, queueName: 'app:analytics', worker: { concurrency: 3 } },
      { ANALYTICS_REDIS_URL: 'redis://cache:6380' },
    );
    const inThread = threadOptions(options);

    expect(inThread).toEqual({
      enabled: true,
      database: options.database,
      redis: options.redis,
      queueName: 'app:analytics',
      worker: { ...options.worker, enabled: true, thread: false },
      runMigrations: true,
    });
    expect(inThread.redis?.url).toBe('redis://cache:6380');
    expect(() => structuredClone(inThread)).not.toThrow();
    // The thread resolves them again to the same settings.
    const again = resolveAnalyticsOptions(structuredClone(inThread), {});
    expect(again.database).toEqual(options.database);
    expect(again.redis).toEqual(options.redis);
    expect(again.worker).toEqual({ ...options.worker, thread: false });
  });
});
