import type { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import type { Job, Queue } from 'bull';
import { AuditService } from '../src';
import { ANALYTICS_QUEUE } from '../src/analytics.constants';
import { BatchProcessor } from '../src/pipeline/batch-processor';
import { bootAnalytics, testOptions } from './support/test-app';
import { TestDatabase, useSpecResources } from './support/test-database';
import { uniqueNames } from './support/test-names';
import { obliterateAndClose, openQueue } from './support/test-queue';
import { until } from './support/until';

/** Makes the worker connect and migrate, by writing one record. */
async function writeOne(audit: AuditService): Promise<void> {
  audit.logSystemEvent('warm.up', 'migrates the schema');
  await audit.flush({ waitForPersistence: true, timeoutMs: 20_000 });
}

describe('Pipeline: buffer → Bull → worker → PostgreSQL', () => {
  const names = uniqueNames('pipe');
  const db = useSpecResources(names);

  it('N records become at most ceil(N / countThreshold) + 1 jobs, and a separate worker persists them all', async () => {
    const N = 1_050;
    const countThreshold = 100;
    // The API process only produces; jobs wait in Redis until a worker process starts.
    const api = await bootAnalytics(
      testOptions(names, { worker: { enabled: false }, flush: { strategy: 'count', countThreshold, intervalMs: 60_000 } }),
    );
    const inspect = openQueue(names.queueName);
    try {
      for (let i = 0; i < N; i++) api.audit.trackEvent('load.test', { i });
      await api.audit.flush();
      const counts = await inspect.getJobCounts();
      expect(counts.waiting).toBeGreaterThanOrEqual(1);
      expect(counts.waiting).toBeLessThanOrEqual(Math.ceil(N / countThreshold) + 1);
      expect(api.audit.stats()).toMatchObject({ accepted: N, sent: N, buffered: 0, persisted: 0 });
      expect(await api.audit.queueCounts()).toEqual({ waiting: counts.waiting, active: 0, delayed: 0, failed: 0, completed: 0, paused: 0 });

      const worker = await bootAnalytics(testOptions(names, { worker: { enabled: true, concurrency: 2 } }));
      try {
        await db.waitForRows('event_logs', N);
        expect(await db.count('event_logs')).toBe(N);
        const distinct = await db.query(`SELECT count(DISTINCT (properties->>'i'))::int AS n FROM "${names.schema}".event_logs`);
        expect(distinct.rows[0].n).toBe(N);
      } finally {
        await worker.app.close();
      }
    } finally {
      await inspect.close();
      await api.app.close();
    }
  });

  it('flush({ waitForPersistence }) in a producer-only process waits for a worker elsewhere, checking its oldest jobs in pipelined round trips', async () => {
    const JOBS = 600;
    const api = await bootAnalytics(testOptions(names, { worker: { enabled: false }, flush: { strategy: 'count', intervalMs: 60_000 } }));
    const client = api.app.get<Queue>(getQueueToken(ANALYTICS_QUEUE)).client;
    const rows = async () => (await db.query(`SELECT count(*)::int AS n FROM "${names.schema}".event_logs WHERE event_type = 'wait.remote'`)).rows[0].n;
    try {
      // One job per flush: more jobs than one pipelined round trip checks.
      for (let i = 0; i < JOBS; i++) {
        api.audit.trackEvent('wait.remote', { i });
        await api.audit.flush();
      }
      expect(api.audit.stats()).toMatchObject({ sent: JOBS, buffered: 0 });
      const pipelines = jest.spyOn(client, 'pipeline');

      // No worker anywhere: the wait gives up at its timeout, nothing is written.
      await api.audit.flush({ waitForPersistence: true, timeoutMs: 300 });
      expect(await rows()).toBe(0);
      // Each pass asked about the 500 oldest jobs in one pipeline (3 commands each), not about
      // all 600, and not in 1,500 sequential commands: the newer ones wait until those are done.
      const sizes = pipelines.mock.results.map((result) => (result.value as { length: number }).length);
      expect(sizes.length).toBeGreaterThanOrEqual(2);
      expect(new Set(sizes)).toEqual(new Set([1500]));

      const worker = await bootAnalytics(testOptions(names, { worker: { enabled: true, concurrency: 2 } }));
      try {
        // Resolves only once every job is written, so the rows are there without polling.
        await api.audit.flush({ waitForPersistence: true, timeoutMs: 60_000 });
        expect(await rows()).toBe(JOBS);
      } finally {
        await worker.app.close();
      }
    } finally {
      await api.app.close();
    }
  });

  it('a job processed twice leaves one row per record', async () => {
    const { app, audit } = await bootAnalytics(testOptions(names, { worker: { enabled: false } }));
    const queue = app.get<Queue>(getQueueToken(ANALYTICS_QUEUE));
    try {
      const ids = [audit.log({ action: 'twice.a' }), audit.log({ action: 'twice.b' }), audit.trackEvent('twice.e', {}, { dedupKey: 'twice-key' })];
      await audit.flush();
      const [job] = (await queue.getWaiting()) as Job[];
      expect(job).toBeDefined();
      const processor = app.get(BatchProcessor);
      expect(await processor.handle(job)).toEqual({ inserted: 3 });
      expect(await processor.handle(job)).toEqual({ inserted: 0 });
      expect(await db.rows('audit_logs', 'id = ANY($1)', [ids])).toHaveLength(2);
      expect(await db.rows('event_logs', 'id = ANY($1)', [ids])).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it('app.close() drains: records accepted just before close are persisted when it resolves', async () => {
    const { app, audit } = await bootAnalytics(testOptions(names, { flush: { intervalMs: 60_000, countThreshold: 10_000 } }));
    const ids = Array.from({ length: 250 }, (_, i) => audit.log({ action: 'drain.test', metadata: { i } }));
    expect(audit.stats().buffered).toBe(250);
    await app.close();
    expect(await db.rows('audit_logs', 'id = ANY($1)', [ids])).toHaveLength(250);
  });

  it('a batch with a row PostgreSQL refuses stores the others at once; stats() counts them persisted and the refused one failed', async () => {
    const { app, audit } = await bootAnalytics(testOptions(names, { worker: { attempts: 2, backoffMs: 50 } }));
    try {
      await writeOne(audit); // the schema exists before the constraint is added
      await db.query(`ALTER TABLE "${names.schema}".audit_logs ADD CONSTRAINT no_bad CHECK (action <> 'refused.action')`);
      const good = Array.from({ length: 9 }, (_, i) => audit.log({ action: 'kept.action', metadata: { i } }));
      audit.log({ action: 'refused.action' });
      await audit.flush({ waitForPersistence: true, timeoutMs: 20_000 });
      expect(await db.rows('audit_logs', 'id = ANY($1)', [good])).toHaveLength(9);
      expect(audit.stats()).toMatchObject({ persisted: 1 + 9, failed: 1 });
    } finally {
      await db.query(`ALTER TABLE "${names.schema}".audit_logs DROP CONSTRAINT IF EXISTS no_bad`);
      await app.get<Queue>(getQueueToken(ANALYTICS_QUEUE)).clean(0, 'failed');
      await app.close();
    }
  });

  it('a batch that fails is retried with backoff, and one that exhausts its attempts is kept and can be replayed', async () => {
    const { app, audit } = await bootAnalytics(testOptions(names, { worker: { attempts: 2, backoffMs: 50 } }));
    const queue = app.get<Queue>(getQueueToken(ANALYTICS_QUEUE));
    try {
      // A row PostgreSQL refuses (smallint overflow) makes the whole batch fail.
      await queue.add('batch', {
        api_access_logs: [
          { id: '01900000-0000-7000-8000-000000000001', created_at: new Date().toISOString(), method: 'GET', endpoint: '/x', status_code: 99999, response_time_ms: 1 },
        ],
      });
      const deadline = Date.now() + 10_000;
      while ((await queue.getFailedCount()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const [failed] = await queue.getFailed();
      expect(failed.attemptsMade).toBe(2);
      // The worker thread reports the outcome to this process a moment after Bull moved the job.
      await until(() => audit.stats().failed >= 1, 10_000);
      expect(audit.stats().failed).toBe(1);
      expect(await audit.queueCounts()).toMatchObject({ failed: 1, waiting: 0, delayed: 0 });
      expect(await audit.retryFailedBatches()).toBe(1);
      // Replayed as a new job with all its attempts and backoff again (Bull's own retry would
      // give it one); the row still being refused, it fails them all and is kept again.
      await until(() => audit.stats().failed >= 2, 10_000);
      expect(audit.stats().failed).toBe(2);
      expect(await queue.getJob(failed.id)).toBeNull();
      const [again] = await queue.getFailed();
      expect(again.id).not.toBe(failed.id);
      expect(again.data).toEqual(failed.data);
      expect(again.attemptsMade).toBe(2);
      expect(await queue.getFailedCount()).toBe(1);
    } finally {
      await queue.empty();
      await app.close();
    }
  });
});

describe('Pipeline with several API processes and a separate worker', () => {
  const names = uniqueNames('multi');
  let db: TestDatabase;
  let apps: Array<{ app: INestApplication; audit: AuditService }> = [];

  beforeAll(async () => {
    db = await new TestDatabase(names.schema).connect();
  });
  afterAll(async () => {
    await Promise.all(apps.map(({ app }) => app.close()));
    await db.dropAndClose();
    await obliterateAndClose(openQueue(names.queueName));
  });

  it('two producers and two workers on one queue store every record exactly once', async () => {
    // Four instances starting at once also exercises the migration lock.
    apps = await Promise.all([
      bootAnalytics(testOptions(names, { worker: { enabled: false } })),
      bootAnalytics(testOptions(names, { worker: { enabled: false } })),
      bootAnalytics(testOptions(names, { worker: { enabled: true } })),
      bootAnalytics(testOptions(names, { worker: { enabled: true } })),
    ]);
    const [a, b] = apps;
    for (let i = 0; i < 300; i++) {
      a.audit.log({ action: 'multi.a', metadata: { i } });
      b.audit.log({ action: 'multi.b', metadata: { i } });
    }
    await Promise.all([a.audit.flush(), b.audit.flush()]);
    await db.waitForRows('audit_logs', 600);
    await new Promise((r) => setTimeout(r, 300));
    expect(await db.count('audit_logs')).toBe(600);
    const migrations = await db.query(`SELECT count(*)::int AS n FROM "${names.schema}".analytics_migrations`);
    expect(migrations.rows[0].n).toBe(1);
  });
});
