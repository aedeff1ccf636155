import { Controller, Get, INestApplication, Logger, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AnalyticsModule, AnalyticsModuleOptions, AuditService } from '../src';
import { testOptions } from './support/test-app';
import { useSpecResources } from './support/test-database';
import { uniqueNames } from './support/test-names';
import { openQueue } from './support/test-queue';
import { TcpProxy } from './support/tcp-proxy';
import { until } from './support/until';

const SLOW_MS = 400;
/** Requests that reached the handler so far. */
let entered = 0;

@Controller('slow')
class SlowController {
  constructor(private readonly audit: AuditService) {}

  @Get(':id')
  async slow(@Param('id') id: string): Promise<{ id: string }> {
    entered++;
    await new Promise((r) => setTimeout(r, SLOW_MS));
    this.audit.log({ action: 'slow.done', resourceId: id });
    return { id };
  }
}

async function startApp(options: AnalyticsModuleOptions): Promise<{ app: INestApplication; port: number }> {
  @Module({ imports: [AnalyticsModule.forRoot(options)], controllers: [SlowController] })
  class SlowAppModule {}
  const app = await NestFactory.create(SlowAppModule, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  return { app, port: (app.getHttpServer().address() as AddressInfo).port };
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Shutdown: requests still in progress when app.close() is called are recorded', () => {
  const names = uniqueNames('shutdown');
  const db = useSpecResources(names);

  it.each([
    ['the worker in this process', true],
    ['a producer-only process', false],
  ])('%s: every in-flight request and its audit entry reach the queue', async (_label, worker) => {
    const { app, port } = await startApp(testOptions(names, { worker: { enabled: worker }, flush: { intervalMs: 60_000 } }));
    const audit = app.get(AuditService);
    const tag = `w${String(worker)}`;
    const before = entered;
    const responses = Array.from({ length: 5 }, (_, i) => get(port, `/slow/${tag}-${i}`));
    // All five in the handler (on a busy machine a fixed wait was not always enough).
    await until(() => entered - before >= 5, 10_000);

    await app.close();

    expect(await Promise.all(responses)).toEqual([200, 200, 200, 200, 200]);
    expect(audit.stats()).toMatchObject({ buffered: 0, dropped: 0, sent: 10 });
    if (!worker) {
      // The records wait in Redis for a worker elsewhere.
      const queue = openQueue(names.queueName);
      try {
        const { waiting } = await queue.getJobCounts();
        expect(waiting).toBeGreaterThanOrEqual(1);
      } finally {
        await queue.close();
      }
      const consumer = await startApp(testOptions(names, { worker: { enabled: true } }));
      await db.waitForRows('audit_logs', 10);
      await consumer.app.close();
    }
    const access = await db.rows('api_access_logs', `endpoint LIKE $1`, [`/slow/${tag}-%`]);
    const audits = await db.rows('audit_logs', `resource_id LIKE $1`, [`${tag}-%`]);
    expect(access).toHaveLength(5);
    expect(access.every((r) => r.status_code === 200)).toBe(true);
    expect(audits).toHaveLength(5);
  });

  it.each([
    ['the worker in this process', true],
    ['a producer-only process', false],
  ])('%s, Redis unreachable: what is buffered is written straight to PostgreSQL', async (_label, worker) => {
    // Nothing listens on this port: every connection to "Redis" is refused.
    const redisUrl = `redis://127.0.0.1:${await TcpProxy.freePort()}`;
    const { app, port } = await startApp(
      testOptions(names, { redis: { url: redisUrl }, worker: { enabled: worker }, flush: { intervalMs: 60_000 } }),
    );
    const audit = app.get(AuditService);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const tag = `straight-w${String(worker)}`;
      expect(await Promise.all(Array.from({ length: 3 }, (_, i) => get(port, `/slow/${tag}-${i}`)))).toEqual([200, 200, 200]);
      const ids = Array.from({ length: 250 }, (_, i) => audit.log({ action: 'straight.write', resourceId: `${tag}-${i}` }));
      expect(audit.stats()).toMatchObject({ buffered: 256, sent: 0 });

      const started = Date.now();
      await app.close();

      expect(Date.now() - started).toBeLessThan(5_000); // not the 10 s a lost drain waits
      expect(audit.stats()).toMatchObject({ buffered: 0, sent: 0, dropped: 0, persisted: 256 });
      expect(await db.rows('audit_logs', 'id = ANY($1)', [ids])).toHaveLength(250);
      expect(await db.rows('audit_logs', 'resource_id LIKE $1', [`${tag}-%`])).toHaveLength(253);
      expect(await db.rows('api_access_logs', 'endpoint LIKE $1', [`/slow/${tag}-%`])).toHaveLength(3);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('wrote 256 buffered record(s) straight to PostgreSQL'));
      expect(error).not.toHaveBeenCalledWith(expect.stringContaining('are lost'));
    } finally {
      error.mockRestore();
      warn.mockRestore();
    }
  });

  it('with Redis and PostgreSQL both unreachable, logs how many records are lost and never throws', async () => {
    const [redisPort, postgresPort] = [await TcpProxy.freePort(), await TcpProxy.freePort()];
    const { app } = await startApp(
      testOptions(names, {
        redis: { url: `redis://127.0.0.1:${redisPort}` },
        database: { url: `postgres://postgres@127.0.0.1:${postgresPort}/postgres` },
        runMigrations: false,
        worker: { enabled: false },
        flush: { intervalMs: 60_000 },
      }),
    );
    const audit = app.get(AuditService);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      for (let i = 0; i < 5; i++) audit.log({ action: 'nowhere.to.go' });

      await expect(app.close()).resolves.toBeUndefined();

      expect(audit.stats()).toMatchObject({ buffered: 5, sent: 0, persisted: 0 });
      expect(warn.mock.calls.filter(([line]) => String(line).includes('straight to PostgreSQL failed'))).toHaveLength(1);
      expect(error).toHaveBeenCalledWith(expect.stringContaining('5 buffered record(s) are lost'));
    } finally {
      error.mockRestore();
      warn.mockRestore();
    }
  }, 30_000);

  it('a record made after the final drain is dropped and counted, never thrown', async () => {
    const { app } = await startApp(testOptions(names));
    const audit = app.get(AuditService);
    await app.close();

    expect(() => audit.log({ action: 'too.late' })).not.toThrow();
    expect(audit.stats()).toMatchObject({ dropped: 1, buffered: 0 });
  });
});
