import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AnalyticsModule, AuditService } from '../src';
import { testOptions } from './support/test-app';
import { TestDatabase } from './support/test-database';
import { uniqueNames } from './support/test-names';
import { obliterateAndClose, openQueue } from './support/test-queue';

@Controller('abort')
class SlowController {
  @Get('slow')
  async slow(): Promise<string> {
    await new Promise((r) => setTimeout(r, 500));
    return 'too late';
  }
}

/** Sends GET `path` and destroys the socket after `afterMs`, before any response. */
function abandon(port: number, path: string, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.end();
    setTimeout(() => req.destroy(), afterMs);
  });
}

describe.each([
  ['Express', () => new ExpressAdapter()],
  ['Fastify', () => new FastifyAdapter()],
])('%s: a request the client abandons before the response', (platform, adapter) => {
  const names = uniqueNames(`abort_${platform}`);
  let db: TestDatabase;
  let app: INestApplication;
  let port: number;

  beforeAll(async () => {
    db = await new TestDatabase(names.schema).connect();
    @Module({ imports: [AnalyticsModule.forRoot(testOptions(names))], controllers: [SlowController] })
    class AbortAppModule {}
    app = await NestFactory.create(AbortAppModule, adapter(), { logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app.close();
    await db.dropAndClose();
    await obliterateAndClose(openQueue(names.queueName));
  });

  it('is recorded once, with status 499 and a message', async () => {
    await abandon(port, '/abort/slow', 100);
    await new Promise((r) => setTimeout(r, 700)); // the handler finishes after the client left
    await app.get(AuditService).flush({ waitForPersistence: true });

    const rows = await db.rows('api_access_logs', 'endpoint = $1', ['/abort/slow']);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status_code: 499, error_message: 'Client closed the connection before the response was sent' });
  });
});
