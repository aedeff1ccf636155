import { getQueueToken } from '@nestjs/bull';
import { INestApplication, LoggerService, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Queue } from 'bull';
import { AnalyticsModule, AnalyticsModuleOptions, AuditService } from '../src';
import { ANALYTICS_QUEUE } from '../src/analytics.constants';
import { BatchProcessor } from '../src/pipeline/batch-processor';
import { WorkerThreadHost } from '../src/pipeline/worker-thread/worker-thread.host';
import { testOptions } from './support/test-app';
import { useSpecResources } from './support/test-database';
import { uniqueNames } from './support/test-names';
import { until } from './support/until';

/** Every line the app's logger printed, with its level and context. */
class CapturingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string; context?: string }> = [];
  log = (message: string, context?: string) => this.add('log', message, context);
  warn = (message: string, context?: string) => this.add('warn', message, context);
  error = (message: string, _stack?: string, context?: string) => this.add('error', message, context);
  debug = (message: string, context?: string) => this.add('debug', message, context);
  verbose = () => undefined;
  private add(level: string, message: string, context?: string) {
    this.lines.push({ level, message, context });
  }
}

async function boot(options: AnalyticsModuleOptions, logger = new CapturingLogger()) {
  @Module({ imports: [AnalyticsModule.forRoot(options)] })
  class ThreadTestModule {}
  const moduleRef = await Test.createTestingModule({ imports: [ThreadTestModule] }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger });
  await app.init();
  return { app, audit: app.get(AuditService), host: app.get(WorkerThreadHost), logger };
}

describe('The in-process worker in a worker thread (worker.thread, on by default)', () => {
  const names = uniqueNames('wthread');
  const db = useSpecResources(names);
  let handle: jest.SpyInstance;

  beforeEach(() => {
    // Calls made in the worker thread never reach this spy: it sees the main thread only.
    handle = jest.spyOn(BatchProcessor.prototype, 'handle');
  });
  afterEach(() => jest.restoreAllMocks());

  it('writes in the thread, counts in this process, and app.close() persists the last records before the thread exits', async () => {
    const { app, audit, host } = await boot(testOptions(names));
    expect(host.running).toBe(true);

    const ids = Array.from({ length: 200 }, (_, i) => audit.log({ action: 'thread.first', metadata: { i } }));
    await audit.flush({ waitForPersistence: true, timeoutMs: 15_000 });
    expect(await db.count('audit_logs')).toBe(200);
    expect(audit.stats()).toMatchObject({ accepted: 200, sent: 200, persisted: 200, failed: 0 });

    ids.push(...Array.from({ length: 50 }, (_, i) => audit.log({ action: 'thread.last', metadata: { i } })));
    await app.close();

    expect(host.running).toBe(false);
    expect(await db.count('audit_logs')).toBe(250);
    const stored = await db.query(`SELECT id FROM "${names.schema}".audit_logs`);
    expect(new Set(stored.rows.map((r) => r.id))).toEqual(new Set(ids));
    expect(handle).not.toHaveBeenCalled();
  });

  it("a batch that exhausts its attempts in the thread is counted in this process's stats() and logged by the app's logger", async () => {
    const { app, audit, logger } = await boot(testOptions(names, { worker: { attempts: 1 } }));
    const queue = app.get<Queue>(getQueueToken(ANALYTICS_QUEUE));
    try {
      // A row PostgreSQL refuses (smallint overflow) makes the batch fail.
      await queue.add('batch', {
        api_access_logs: [
          { id: '01900000-0000-7000-8000-0000000000aa', created_at: new Date().toISOString(), method: 'GET', endpoint: '/x', status_code: 99999, response_time_ms: 1 },
        ],
      });
      await until(() => audit.stats().failed === 1);
      await until(() => logger.lines.some((l) => l.level === 'error' && /exhausted its attempts/.test(l.message)));
      expect(logger.lines.find((l) => /exhausted its attempts/.test(l.message))?.context).toBe('AnalyticsWorker');
      // Nest's own start-up lines of the thread's context are not printed a second time.
      expect(logger.lines.filter((l) => l.context === 'NestFactory')).toHaveLength(0);
      expect(await audit.retryFailedBatches()).toBe(1);
    } finally {
      await queue.empty();
      await app.close();
    }
  });

  it('when the thread stops unexpectedly, the worker goes on on the main thread and nothing is lost', async () => {
    const { app, audit, host, logger } = await boot(testOptions(names));
    try {
      await (host as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      await until(() => !host.running);
      expect(logger.lines.some((l) => l.level === 'error' && /worker thread stopped/.test(l.message))).toBe(true);

      const before = await db.count('audit_logs');
      for (let i = 0; i < 30; i++) audit.log({ action: 'thread.fallback', metadata: { i } });
      await audit.flush({ waitForPersistence: true, timeoutMs: 15_000 });
      expect(await db.count('audit_logs')).toBe(before + 30);
      expect(handle).toHaveBeenCalled();
    } finally {
      await app.close();
    }
  });

  it('with PostgreSQL and Redis unreachable, each is reported once, not again by the thread', async () => {
    const unreachable = {
      database: { url: 'postgres://postgres@127.0.0.1:1/postgres', schema: names.schema },
      redis: { url: 'redis://127.0.0.1:1' },
    };
    const { app, host, logger } = await boot(testOptions(names, unreachable));
    try {
      expect(host.running).toBe(true);
      const database = (l: { message: string }) => /database is not reachable/.test(l.message);
      const redis = (l: { message: string }) => /Redis connection error/.test(l.message);
      // The thread's lines still reach the app's logger, at debug level.
      await until(() => logger.lines.some((l) => l.level === 'debug' && database(l)));
      await until(() => logger.lines.some((l) => l.level === 'debug' && redis(l)));
      expect(logger.lines.filter((l) => l.level === 'warn' && database(l))).toHaveLength(1);
      expect(logger.lines.filter((l) => l.level === 'warn' && redis(l))).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it('worker.thread: false runs the worker on the main thread', async () => {
    const { app, audit, host } = await boot(testOptions(names, { worker: { thread: false } }));
    try {
      expect(host.running).toBe(false);
      const before = await db.count('audit_logs');
      for (let i = 0; i < 10; i++) audit.log({ action: 'thread.off', metadata: { i } });
      await audit.flush({ waitForPersistence: true, timeoutMs: 15_000 });
      expect(await db.count('audit_logs')).toBe(before + 10);
      expect(handle).toHaveBeenCalled();
    } finally {
      await app.close();
    }
  });
});
