import type { AnalyticsStats } from '../src/pipeline/analytics-counters';
import { ScaleChild } from './support/scale-child';
import { DEDUP_KEYS } from './support/scale-protocol';
import { testOptions } from './support/test-app';
import { TestDatabase } from './support/test-database';
import { uniqueNames } from './support/test-names';
import { obliterateAndClose, openQueue } from './support/test-queue';
import { until } from './support/until';

/**
 * The in-process version (several app instances in one Node process) is in
 * pipeline.e2e-spec.ts; this one runs every API and worker as its own OS process, as in
 * production, so nothing can be shared through module state, timers or one event loop.
 */
const REQUESTS = 2_000;
/** Requests in flight per API process. */
const PARALLEL = 8;
/** Generous: another job may be loading this 2-core machine. These are deadlines, not sleeps. */
const BOOT_MS = 90_000;
const SHUTDOWN_MS = 30_000;
const PERSIST_MS = 90_000;

const sum = (stats: AnalyticsStats[], key: keyof AnalyticsStats) => stats.reduce((n, s) => n + s[key], 0);

describe('2 API processes + 2 worker processes on one Redis and one PostgreSQL', () => {
  const names = uniqueNames('scale');
  const requestId = (i: number) => `${names.queueName}-r${i}`;
  const children: ScaleChild[] = [];
  let db: TestDatabase;

  beforeAll(async () => {
    db = await new TestDatabase(names.schema).connect();
  });
  afterAll(async () => {
    // Whatever happened, no process outlives the spec.
    await Promise.all(children.map((child) => child.kill()));
    await db.dropAndClose();
    await obliterateAndClose(openQueue(names.queueName));
  });

  it(
    'stores every request, audit entry and log-once event exactly once',
    async () => {
      const started = Date.now();
      const options = testOptions(names, { flush: { intervalMs: 100, countThreshold: 50 } });
      // All four start at once: the migration lock is exercised across processes too.
      const [apiA, apiB, workerA, workerB] = [
        new ScaleChild('api-a', 'api', options),
        new ScaleChild('api-b', 'api', options),
        new ScaleChild('worker-a', 'worker', options),
        new ScaleChild('worker-b', 'worker', options),
      ];
      const apis = [apiA, apiB];
      const workers = [workerA, workerB];
      children.push(...apis, ...workers);
      await Promise.all(children.map((child) => child.ready(BOOT_MS)));
      // A worker reports `ready` once its process has started; its worker thread starts
      // fetching a moment later. Wait until both are fetching (Bull names each worker's
      // blocking connection), or the first could take every job before the second begins.
      const probe = openQueue(names.queueName);
      try {
        await until(async () => (await probe.getWorkers()).length >= workers.length, BOOT_MS);
      } finally {
        await probe.close();
      }
      const booted = Date.now();

      // Request i goes to API i % 2, so each dedupKey (i % 25) is tracked by both APIs.
      const failures: string[] = [];
      const servedBy = new Set<number>();
      await Promise.all(
        apis.map(async (api, a) => {
          const mine = Array.from({ length: REQUESTS / 2 }, (_, k) => 2 * k + a);
          await Promise.all(
            Array.from({ length: PARALLEL }, async () => {
              for (let i = mine.shift(); i !== undefined; i = mine.shift()) {
                const res = await fetch(`http://127.0.0.1:${api.port}/items/${i}`, { headers: { 'x-request-id': requestId(i) } });
                const body = (await res.json()) as { pid: number };
                servedBy.add(body.pid);
                if (res.status !== 200 || res.headers.get('x-request-id') !== requestId(i)) {
                  failures.push(`${requestId(i)}: ${res.status} ${res.headers.get('x-request-id')}`);
                }
              }
            }),
          );
        }),
      );
      expect(failures).toEqual([]);
      expect(servedBy.size).toBe(2);
      const served = Date.now();

      // SIGTERM the APIs: their shutdown hooks must hand every buffered record to Redis.
      const apiStops = await Promise.all(apis.map((api) => api.terminate(SHUTDOWN_MS)));
      const apiStats = apiStops.map((s) => s.stats);
      for (const { code, stats } of apiStops) {
        expect(code).toBe(0);
        expect(stats).toMatchObject({ buffered: 0, dropped: 0, persisted: 0, accepted: stats.sent });
        // One access log, one audit entry and one event per request.
        expect(stats.accepted).toBe((REQUESTS / 2) * 3);
      }
      const sent = sum(apiStats, 'sent');

      // Wait until the workers have written every record sent and the queue is empty.
      const queue = openQueue(names.queueName);
      let workerStats: AnalyticsStats[] = [];
      let counts: Record<string, number> = {};
      try {
        const deadline = Date.now() + PERSIST_MS;
        for (;;) {
          workerStats = await Promise.all(workers.map((w) => w.stats()));
          counts = { ...(await queue.getJobCounts()) };
          const idle = counts.waiting + counts.active + counts.delayed === 0;
          if (idle && sum(workerStats, 'persisted') >= sent) break;
          if (Date.now() >= deadline) {
            throw new Error(`Workers did not persist ${sent} records in ${PERSIST_MS} ms: ${JSON.stringify({ workerStats, counts })}`);
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      } finally {
        await queue.close();
      }
      expect(counts.failed).toBe(0);
      const persistedAt = Date.now();

      const workerStops = await Promise.all(workers.map((w) => w.terminate(SHUTDOWN_MS)));
      workerStats = workerStops.map((s) => s.stats);
      for (const { code, stats } of workerStops) {
        expect(code).toBe(0);
        expect(stats).toMatchObject({ accepted: 0, failed: 0 });
      }
      const expectedIds = Array.from({ length: REQUESTS }, (_, i) => requestId(i)).sort();

      // Access logs: exactly one row per request, no request missing.
      const access = await db.query(`SELECT request_id, status_code, route FROM "${names.schema}".api_access_logs ORDER BY request_id`);
      expect(access.rows.map((r) => r.request_id)).toEqual(expectedIds);
      expect(access.rows.filter((r) => r.status_code !== 200 || r.route !== '/items/:id')).toEqual([]);

      // Audit entries: one per request, stamped with its request id.
      const audit = await db.query(`SELECT request_id, action, resource_id FROM "${names.schema}".audit_logs ORDER BY request_id`);
      expect(audit.rows.map((r) => r.request_id)).toEqual(expectedIds);
      expect(audit.rows.filter((r) => r.action !== 'scale.item.read' || requestId(Number(r.resource_id)) !== r.request_id)).toEqual([]);

      // Log-once events: each of the DEDUP_KEYS keys was tracked REQUESTS / DEDUP_KEYS times,
      // by both APIs, in batches written by both workers, and is stored once.
      const events = await db.query(
        `SELECT e.dedup_key, e.request_id, e.properties->>'id' AS item, k.event_id
           FROM "${names.schema}".event_logs e
           LEFT JOIN "${names.schema}".event_dedup_keys k ON k.dedup_key = e.dedup_key
          ORDER BY e.dedup_key`,
      );
      const expectedKeys = Array.from({ length: DEDUP_KEYS }, (_, k) => `scale:${k}`).sort();
      expect(events.rows.map((r) => r.dedup_key)).toEqual(expectedKeys);
      for (const row of events.rows) {
        expect(row.event_id).not.toBeNull();
        expect(`scale:${Number(row.item) % DEDUP_KEYS}`).toBe(row.dedup_key);
        expect(row.request_id).toBe(requestId(Number(row.item)));
      }
      expect(await db.count('event_dedup_keys')).toBe(DEDUP_KEYS);

      // Every record sent was written by one of the worker processes, none by an API.
      expect(sum(workerStats, 'persisted')).toBeGreaterThanOrEqual(sent);
      const split = workerStats.map((s) => s.persisted);
      console.log(
        `scale: boot ${booted - started} ms, ${REQUESTS} requests ${served - booted} ms, ` +
          `persisted ${persistedAt - served} ms after the last response; workers persisted ${split.join(' + ')} of ${sent} records`,
      );
      expect(split.every((n) => n > 0)).toBe(true);
    },
    BOOT_MS + PERSIST_MS + 4 * SHUTDOWN_MS,
  );
});
