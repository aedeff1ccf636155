import type { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import Redis, { Cluster } from 'ioredis';
import { AuditService } from '../src';
import { ANALYTICS_QUEUE } from '../src/analytics.constants';
import { TestRedisCluster } from './support/redis-cluster';
import { bootAnalytics, testOptions } from './support/test-app';
import { TestDatabase } from './support/test-database';
import { uniqueNames } from './support/test-names';
import { until } from './support/until';

type App = { app: INestApplication; audit: AuditService };

const N = 500;

/** N audit entries and N events, each numbered in its metadata / properties. */
function logRecords(audit: AuditService, tag: string): void {
  for (let i = 0; i < N; i++) {
    audit.log({ action: `${tag}.audit`, metadata: { i } });
    audit.trackEvent(`${tag}.event`, { i });
  }
}

/**
 * Bull's keys for one queue on a Redis Cluster: all of them start with the hash-tag prefix,
 * so they sit in one slot, on one node. Fails when the queue has no key at all.
 */
async function expectKeysInOneSlot(cluster: TestRedisCluster, prefix: string, queueName: string): Promise<string[]> {
  const byNode = await cluster.keysByNode(`*:${queueName}:*`);
  const keys = [...byNode.values()].flat();
  expect(keys.length).toBeGreaterThan(0);
  for (const key of keys) expect(key.startsWith(`${prefix}:${queueName}:`)).toBe(true);
  expect([...byNode.values()].filter((k) => k.length > 0)).toHaveLength(1);
  const slots = new Set(await Promise.all(keys.map((key) => cluster.keySlot(key))));
  expect([...slots]).toEqual([await cluster.keySlot(prefix)]);
  return keys;
}

/** Rows (and distinct numbers) of one tag's audit entries and events. */
async function countTagged(db: TestDatabase, tag: string): Promise<{ audit: object; events: object }> {
  const count = async (table: string, column: string, json: string) =>
    (
      await db.query(
        `SELECT count(*)::int AS n, count(DISTINCT ${json}->>'i')::int AS distinct_i FROM "${db.schema}".${table} WHERE ${column} = $1`,
        [`${tag}.${table === 'audit_logs' ? 'audit' : 'event'}`],
      )
    ).rows[0];
  return { audit: await count('audit_logs', 'action', 'metadata'), events: await count('event_logs', 'event_type', 'properties') };
}

const ALL_ONCE = { audit: { n: N, distinct_i: N }, events: { n: N, distinct_i: N } };

async function waitForTagged(db: TestDatabase, tag: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await countTagged(db, tag);
  while (JSON.stringify(last) !== JSON.stringify(ALL_ONCE) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await countTagged(db, tag);
  }
}

describe('Redis Cluster (3 masters, started by this spec)', () => {
  const names = uniqueNames('cluster');
  let cluster: TestRedisCluster;
  let db: TestDatabase;
  const apps: App[] = [];

  /** Boots an app on this spec's schema and on a queue of the test's own (`names.queueName-<queue>`). */
  const boot = async (queue: string, options: Parameters<typeof testOptions>[1]): Promise<App> => {
    const app = await bootAnalytics(testOptions({ schema: names.schema, queueName: `${names.queueName}-${queue}` }, options));
    apps.push(app);
    return app;
  };
  const close = async (app: App) => {
    apps.splice(apps.indexOf(app), 1);
    await app.app.close();
  };

  beforeAll(async () => {
    db = await new TestDatabase(names.schema).connect();
    cluster = await TestRedisCluster.reserve(3);
  });
  afterAll(async () => {
    try {
      // Apps left open by a failed test; one whose cluster never came up drains for 10 s.
      await Promise.race([Promise.allSettled(apps.map(({ app }) => app.close())), new Promise((r) => setTimeout(r, 30_000).unref())]);
    } finally {
      await cluster?.stop();
      await db?.dropAndClose();
    }
  }, 60_000);

  it('starts while the cluster is unreachable, fails fast, and persists everything once the cluster is up', async () => {
    const app = await boot('down', { redis: { cluster: { nodes: cluster.addresses.map(({ host, port }) => `${host}:${port}`) } } });
    const ids = Array.from({ length: 150 }, (_, i) => app.audit.log({ action: 'cluster.down', metadata: { i } }));

    const started = Date.now();
    await app.audit.flush(); // refused at once: no node answers
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(app.audit.stats()).toMatchObject({ buffered: 150, sent: 0 });
    expect(app.audit.stats().enqueueErrors).toBeGreaterThan(0);

    await cluster.start();
    await app.audit.flush({ waitForPersistence: true, timeoutMs: 30_000 });
    expect(await db.rows('audit_logs', 'id = ANY($1)', [ids])).toHaveLength(150);
    expect(app.audit.stats()).toMatchObject({ buffered: 0, dropped: 0, failed: 0, persisted: 150 });
    await close(app);
  });

  it('forRoot with redis.cluster and the worker in-process: every record reaches PostgreSQL exactly once, under the default {bull} prefix', async () => {
    await cluster.start(); // already up after the first test, unless run alone
    const app = await boot('inproc', { redis: { cluster: { nodes: cluster.addresses } } });
    const queue = app.app.get<Queue>(getQueueToken(ANALYTICS_QUEUE));

    logRecords(app.audit, 'inproc');
    await app.audit.flush({ waitForPersistence: true, timeoutMs: 30_000 });

    expect(await countTagged(db, 'inproc')).toEqual(ALL_ONCE);
    expect(app.audit.stats()).toMatchObject({ accepted: 2 * N, sent: 2 * N, persisted: 2 * N, buffered: 0, dropped: 0, failed: 0 });
    // Every connection Bull uses is a Cluster connection.
    const { eclient, bclient } = queue as unknown as Record<'eclient' | 'bclient', unknown>;
    for (const client of [queue.client, eclient, bclient]) expect(client).toBeInstanceOf(Cluster);
    await expectKeysInOneSlot(cluster, '{bull}', `${names.queueName}-inproc`);
    await close(app);
  });

  it('a producer-only process and a separate worker process share the queue under a custom hash-tag prefix', async () => {
    await cluster.start(); // already up after the first test, unless run alone
    const redis = { cluster: { nodes: cluster.addresses }, prefix: '{analytics-e2e}' };
    const producer = await boot('split', { redis, worker: { enabled: false }, flush: { strategy: 'count', countThreshold: 100, intervalMs: 60_000 } });
    const queue = producer.app.get<Queue>(getQueueToken(ANALYTICS_QUEUE));

    logRecords(producer.audit, 'split');
    await producer.audit.flush();
    expect(producer.audit.stats()).toMatchObject({ accepted: 2 * N, sent: 2 * N, buffered: 0, persisted: 0 });
    expect((await queue.getJobCounts()).waiting).toBeGreaterThanOrEqual(1);
    // The waiting jobs, the wait list and the id counter: all in the prefix's slot.
    const keys = await expectKeysInOneSlot(cluster, '{analytics-e2e}', `${names.queueName}-split`);
    expect(keys).toContain(`{analytics-e2e}:${names.queueName}-split:wait`);

    const worker = await boot('split', { redis, worker: { enabled: true, concurrency: 2 } });
    await waitForTagged(db, 'split', 30_000);
    await close(worker); // the worker finishes the batches it is writing

    expect(await countTagged(db, 'split')).toEqual(ALL_ONCE);
    expect(await queue.getJobCounts()).toMatchObject({ waiting: 0, active: 0, failed: 0 });
    await close(producer);
  });

  it('app.close() closes every connection to the cluster, the worker\'s blocking one included', async () => {
    await cluster.start(); // already up after the first test, unless run alone
    const app = await boot('close', { redis: { cluster: { nodes: cluster.addresses } } });
    const id = app.audit.log({ action: 'cluster.close' });
    await app.audit.flush({ waitForPersistence: true, timeoutMs: 30_000 });
    expect(await db.rows('audit_logs', 'id = $1', [id])).toHaveLength(1);
    expect([...(await cluster.clientsByNode()).values()].flat().length).toBeGreaterThan(0);

    await close(app);
    await expectNoClientsLeft(cluster);
  });

  it('app.close() also closes a node connection that ioredis\' pool lost track of', async () => {
    await cluster.start(); // already up after the first test, unless run alone
    const app = await boot('orphan', { redis: { cluster: { nodes: cluster.addresses } }, worker: { enabled: false } });
    const client = app.app.get<Queue>(getQueueToken(ANALYTICS_QUEUE)).client as unknown as Cluster;
    await client.ping(); // ready, with its node connections
    // What a topology refresh does when a node leaves the slot map and comes back at once:
    // the pool disconnects the node's connection, then opens a new one to the same address.
    // The old connection's `end` comes later and removes the new one from the pool, open.
    const pool = (client as unknown as { connectionPool: PoolInternals }).connectionPool;
    const nodes = client.nodes('all').map(({ options }) => ({ host: options.host, port: options.port }));
    const [first] = client.nodes('all');
    await first.ping(); // connected, so its `end` comes only once the socket has closed
    const firstKey = `${first.options.host}:${first.options.port}`;
    pool.reset(nodes.filter(({ host, port }) => `${host}:${port}` !== firstKey));
    pool.reset(nodes);
    const second = pool.getInstanceByKey(firstKey)!;
    expect(second).not.toBe(first);
    await second.ping();
    await until(async () => first.status === 'end', 5_000);
    expect(pool.getInstanceByKey(firstKey)).toBeUndefined(); // the pool has lost it ...
    expect(second.status).toBe('ready'); // ... and it is still open

    await close(app);
    await expectNoClientsLeft(cluster);
  });
});

/** The connections a cluster node's pool keeps: the part of ioredis' internals the spec above drives. */
interface PoolInternals {
  reset(nodes: Array<{ host?: string; port?: number }>): void;
  getInstanceByKey(key: string): Redis | undefined;
}

/** Waits up to 5 s for every connection to the cluster to be gone; fails naming those left. */
async function expectNoClientsLeft(cluster: TestRedisCluster): Promise<void> {
  let clients = await cluster.clientsByNode();
  await until(async () => {
    clients = await cluster.clientsByNode();
    return [...clients.values()].flat().length === 0;
  }, 5_000).catch(() => undefined); // the expectation below names the connections left
  expect([...clients.values()]).toEqual([[], [], []]);
}
