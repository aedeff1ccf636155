import Redis from 'ioredis';
import { Client } from 'pg';
import { AuditService } from '../src';
import { BATCH_JOB } from '../src/analytics.constants';
import { AnalyticsDatabase } from '../src/database/analytics-database';
import { encodeRecords } from '../src/pipeline/batch-encoder';
import { BatchWriter } from '../src/pipeline/batch-writer';
import { connectionName } from '../src/pipeline/queue-options.factory';
import { RecordFactory } from '../src/records/record.factory';
import { bootAnalytics, testOptions } from './support/test-app';
import { TcpProxy } from './support/tcp-proxy';
import { until } from './support/until';
import { TestDatabase, useSpecResources } from './support/test-database';
import { DATABASE_URL, REDIS_URL, uniqueNames } from './support/test-names';
import { obliterateAndClose, openQueue } from './support/test-queue';

const REDIS_PORT = 6379;
const POSTGRES_PORT = 5432;

/**
 * A spec's resources (see `useSpecResources`) and a TCP proxy in front of PostgreSQL that
 * the test brings up, cuts or freezes; `url()` reaches PostgreSQL through it.
 */
function useProxiedPostgres(names: { schema: string; queueName: string }) {
  const db = useSpecResources(names);
  let proxy: TcpProxy | undefined;
  beforeAll(async () => {
    proxy = new TcpProxy(await TcpProxy.freePort(), POSTGRES_PORT);
  });
  afterAll(() => proxy?.down());
  return {
    db,
    get proxy(): TcpProxy {
      return proxy!;
    },
    url: () => `postgres://postgres@127.0.0.1:${proxy!.port}/postgres`,
  };
}

/** Times a burst of AuditService calls; they must stay synchronous and in-memory whatever the services do. */
function logBurst(audit: AuditService, action: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => audit.log({ action, metadata: { i } }));
}

describe('Failure behaviour', () => {
  describe('Redis down at start-up, back later', () => {
    const names = uniqueNames('redisdown');
    let db: TestDatabase;
    let proxy: TcpProxy;

    beforeAll(async () => {
      db = await new TestDatabase(names.schema).connect();
      proxy = new TcpProxy(await TcpProxy.freePort(), REDIS_PORT);
    });
    afterAll(async () => {
      await proxy.down();
      await db.dropAndClose();
      await obliterateAndClose(openQueue(names.queueName));
    });

    it('starts, serves, keeps records in the buffer and persists all of them once Redis is back', async () => {
      const { app, audit } = await bootAnalytics(
        testOptions(names, { redis: { url: `redis://127.0.0.1:${proxy.port}` }, flush: { intervalMs: 100 } }),
      );
      try {
        const before = logBurst(audit, 'redis.down', 150);
        await audit.flush(); // refused fast: Redis is unreachable
        const stats = audit.stats();
        expect(stats.buffered).toBe(150);
        expect(stats.sent).toBe(0);
        expect(stats.enqueueErrors).toBeGreaterThan(0);
        await expect(audit.retryFailedBatches()).rejects.toThrow(/^Redis connection is (connecting|reconnecting|close)$/);

        await proxy.up();
        const after = logBurst(audit, 'redis.back', 50);
        await audit.flush({ waitForPersistence: true, timeoutMs: 20_000 });
        expect(await db.rows('audit_logs', 'id = ANY($1)', [[...before, ...after]])).toHaveLength(200);
        expect(audit.stats()).toMatchObject({ buffered: 0, dropped: 0, persisted: 200 });
      } finally {
        await app.close();
      }
    });

    it('past maxBufferSize, drops new records and counts every one of them', async () => {
      await proxy.down();
      const { app, audit } = await bootAnalytics(
        testOptions(names, { redis: { url: `redis://127.0.0.1:${proxy.port}` }, flush: { maxBufferSize: 20 }, runMigrations: false }),
      );
      try {
        logBurst(audit, 'overflow', 35);
        expect(audit.stats()).toMatchObject({ accepted: 35, buffered: 20, dropped: 15 });
      } finally {
        await proxy.up();
        await app.close();
      }
    });
  });

  describe('PostgreSQL down at start-up, back later', () => {
    const names = uniqueNames('pgdown');
    const pg = useProxiedPostgres(names);

    it('starts, queues batches while the worker retries, and writes them (schema included) when PostgreSQL is back', async () => {
      const { app, audit } = await bootAnalytics(
        testOptions(names, {
          database: { url: pg.url() },
          worker: { attempts: 30, backoffMs: 100 },
        }),
      );
      try {
        const ids = logBurst(audit, 'pg.down', 120);
        await audit.flush();
        expect(audit.stats()).toMatchObject({ sent: 120, persisted: 0 });
        await new Promise((r) => setTimeout(r, 300)); // let the worker fail an attempt or two
        expect(audit.stats().persisted).toBe(0);

        await pg.proxy.up();
        await audit.flush({ waitForPersistence: true, timeoutMs: 30_000 });
        expect(await pg.db.rows('audit_logs', 'id = ANY($1)', [ids])).toHaveLength(120);
        expect(audit.stats()).toMatchObject({ persisted: 120, failed: 0 });
      } finally {
        await app.close();
      }
    });
  });

  describe('PostgreSQL that stops answering on an open connection', () => {
    const names = uniqueNames('pgfrozen');
    const pg = useProxiedPostgres(names);

    it('gives up a write after worker.writeTimeoutMs, closes its connection and retries the batch on a new one', async () => {
      await pg.proxy.up();
      const { app, audit } = await bootAnalytics(
        testOptions(names, {
          database: { url: pg.url(), poolSize: 2 },
          worker: { thread: false, attempts: 30, backoffMs: 100, writeTimeoutMs: 500 },
        }),
      );
      try {
        logBurst(audit, 'pg.before-freeze', 10);
        await audit.flush({ waitForPersistence: true, timeoutMs: 10_000 });
        // The pool's open connections stop answering; a new connection would reach PostgreSQL.
        pg.proxy.freezeOpenConnections();
        const ids = logBurst(audit, 'pg.frozen', 50);
        await audit.flush({ waitForPersistence: true, timeoutMs: 20_000 });
        expect(await pg.db.rows('audit_logs', 'id = ANY($1)', [ids])).toHaveLength(50);
        expect(audit.stats()).toMatchObject({ persisted: 60, failed: 0 });
      } finally {
        await app.close();
      }
    });
  });

  describe('A write held by a table lock', () => {
    const names = uniqueNames('pglocked');
    const db = useSpecResources(names);

    it('is abandoned after worker.writeTimeoutMs, and its server process ended rather than left waiting', async () => {
      const { app } = await bootAnalytics(testOptions(names, { worker: { enabled: false, writeTimeoutMs: 300 } }));
      const locker = new Client({ connectionString: DATABASE_URL });
      await locker.connect();
      try {
        const writer = app.get(BatchWriter);
        await app.get(AnalyticsDatabase).ready();
        await locker.query('BEGIN');
        await locker.query(`LOCK TABLE "${names.schema}".audit_logs IN ACCESS EXCLUSIVE MODE`);
        const record = app.get(RecordFactory).audit({ action: 'locked.out' });
        await expect(writer.write(encodeRecords([record]))).rejects.toThrow(/did not answer within 300 ms/);
        const waiting = () =>
          db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'nestjs-analytics' AND wait_event_type = 'Lock' AND query ILIKE $1`, [
            `%${names.schema}%audit_logs%`,
          ]);
        await until(async () => (await waiting()).rows[0].n === 0, 5_000);
        await locker.query('ROLLBACK');
        expect(await db.rows('audit_logs', 'id = $1', [record.row.id])).toHaveLength(0);
        expect(await writer.write(encodeRecords([record]))).toBe(1);
      } finally {
        await locker.end();
        await app.close();
      }
    });
  });

  describe('Redis connections that come back in a different order', () => {
    const names = uniqueNames('reconnect');
    let db: TestDatabase;
    let redis: Redis;

    beforeAll(async () => {
      db = await new TestDatabase(names.schema).connect();
      redis = new Redis(REDIS_URL);
    });
    afterAll(async () => {
      redis.disconnect();
      await db.dropAndClose();
      await obliterateAndClose(openQueue(names.queueName));
    });

    /** `CLIENT LIST` lines of this queue's job connections, and of its workers' blocking ones (named by Bull). */
    const connections = async (type: 'client' | 'bclient') => {
      const name = type === 'bclient' ? `bull:${Buffer.from(names.queueName).toString('base64')}` : connectionName(names.queueName, type);
      return ((await redis.client('LIST')) as string).split('\n').filter((line) => line.includes(` name=${name} `));
    };

    it("a worker takes a job while its job connection is still reconnecting, and writes it at once (not after Bull's 30 s stalled-job check)", async () => {
      const { app } = await bootAnalytics(testOptions(names));
      const queue = openQueue(names.queueName);
      try {
        await until(async () => (await connections('bclient')).some((line) => line.includes(' cmd=brpoplpush ')), 10_000);
        const record = app.get(RecordFactory).audit({ action: 'reconnect.race' });

        // Drop every `client` connection of the queue (the worker thread's and the
        // producer's); the blocking one stays, waiting in BRPOPLPUSH.
        const ids = (await connections('client')).map((line) => /\bid=(\d+)/.exec(line)![1]);
        expect(ids.length).toBeGreaterThan(0);
        for (const id of ids) await redis.client('KILL', 'ID', id);
        // Inside the first reconnect delay (200 ms): the job arrives while `client` reconnects.
        await new Promise((r) => setTimeout(r, 50));
        await queue.add(BATCH_JOB, encodeRecords([record]), { jobId: record.row.id as string, removeOnComplete: true });

        // Bull's stalled-job check would only give the job back after 30 s.
        await until(async () => (await db.rows('audit_logs', 'id = $1', [record.row.id])).length === 1, 15_000);
        // The row is in before Bull marks the job finished.
        await until(async () => (await queue.getActiveCount()) === 0, 10_000);
        expect(await queue.getJobCounts()).toMatchObject({ waiting: 0, active: 0, failed: 0 });
      } finally {
        await queue.close();
        await app.close();
      }
    });
  });
});
