import { AuditService } from '../src';
import { bootAnalytics, testOptions } from './support/test-app';
import { TcpProxy } from './support/tcp-proxy';
import { TestDatabase } from './support/test-database';
import { uniqueNames } from './support/test-names';
import { obliterateAndClose, openQueue } from './support/test-queue';

const REDIS_PORT = 6379;
const POSTGRES_PORT = 5432;

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
    let db: TestDatabase;
    let proxy: TcpProxy;

    beforeAll(async () => {
      db = await new TestDatabase(names.schema).connect();
      proxy = new TcpProxy(await TcpProxy.freePort(), POSTGRES_PORT);
    });
    afterAll(async () => {
      await proxy.down();
      await db.dropAndClose();
      await obliterateAndClose(openQueue(names.queueName));
    });

    it('starts, queues batches while the worker retries, and writes them (schema included) when PostgreSQL is back', async () => {
      const { app, audit } = await bootAnalytics(
        testOptions(names, {
          database: { url: `postgres://postgres@127.0.0.1:${proxy.port}/postgres` },
          worker: { attempts: 30, backoffMs: 100 },
        }),
      );
      try {
        const ids = logBurst(audit, 'pg.down', 120);
        await audit.flush();
        expect(audit.stats()).toMatchObject({ sent: 120, persisted: 0 });
        await new Promise((r) => setTimeout(r, 300)); // let the worker fail an attempt or two
        expect(audit.stats().persisted).toBe(0);

        await proxy.up();
        await audit.flush({ waitForPersistence: true, timeoutMs: 30_000 });
        expect(await db.rows('audit_logs', 'id = ANY($1)', [ids])).toHaveLength(120);
        expect(audit.stats()).toMatchObject({ persisted: 120, failed: 0 });
      } finally {
        await app.close();
      }
    });
  });
});
