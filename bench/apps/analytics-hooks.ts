import type { INestApplicationContext } from '@nestjs/common';
import { AnalyticsModule, AuditService } from '../../src';
import type { BenchHooks } from './bench-app';
import { env } from './bench-app';

/**
 * AnalyticsModule with default options, apart from the run's own schema and queue.
 * `worker`: true (default: in a worker thread), false (producer only), or 'dedicated' for a
 * process that only writes (on its main thread, as the README's worker.ts).
 */
export function analyticsModule(worker: boolean | 'dedicated') {
  return AnalyticsModule.forRoot({
    database: { url: env.databaseUrl, schema: env.schema },
    redis: { url: env.redisUrl },
    queueName: env.queueName,
    ...(worker === true ? {} : { worker: worker ? { enabled: true, thread: false } : { enabled: false } }),
  });
}

/** Flush hands every buffered record to the queue and, with a worker here, waits until it is written. */
export const analyticsHooks: BenchHooks = {
  flush: async (app: INestApplicationContext) => {
    const audit = app.get(AuditService);
    await audit.flush({ waitForPersistence: true, timeoutMs: 120_000 });
    return { ...audit.stats() };
  },
  stats: (app: INestApplicationContext) => ({ ...app.get(AuditService).stats() }),
};
