import { Controller, Get, INestApplication, Module, Sse, StreamableFile } from '@nestjs/common';
import { interval, map, Observable } from 'rxjs';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { AnalyticsModule, Audited, AuditService } from '../src';
import { testOptions } from './support/test-app';
import { TestDatabase } from './support/test-database';
import { uniqueNames } from './support/test-names';
import { until } from './support/until';
import { obliterateAndClose, openQueue } from './support/test-queue';

@Controller('abort')
class SlowController {
  @Get('slow')
  async slow(): Promise<string> {
    await new Promise((r) => setTimeout(r, 500));
    return 'too late';
  }

  /** Server-sent events until the client leaves, which is how an SSE stream ends. */
  @Sse('events')
  @Audited({ action: 'events.stream' })
  events(): Observable<{ data: string }> {
    return interval(10).pipe(map((i) => ({ data: `tick ${i}` })));
  }

  /** A download whose file read fails after 64 KB were sent: the server cuts the response. */
  @Get('broken-file')
  brokenFile(): StreamableFile {
    const stream = new Readable({ read() {} });
    stream.push(Buffer.alloc(64 * 1024, 'a'));
    setTimeout(() => stream.destroy(new Error('disk read failed')), 50);
    return new StreamableFile(stream).setErrorLogger(() => undefined);
  }
}

/** Opens `path`, reads until `bytes` body bytes came, then leaves: the status it had received. */
function leaveAfter(port: number, path: string, bytes: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    let received = 0;
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= bytes) req.destroy();
      });
      res.on('error', () => undefined);
      res.on('close', () => resolve(res.statusCode));
    });
    req.on('error', () => undefined);
    req.end();
  });
}

/** Sends GET `path` and reads the whole response, however it ends: its status and how many body bytes came. */
function download(port: number, path: string): Promise<{ status?: number; bytes: number }> {
  return new Promise((resolve) => {
    let bytes = 0;
    let status: number | undefined;
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      status = res.statusCode;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('error', () => undefined);
      res.on('close', () => resolve({ status, bytes }));
    });
    req.on('error', () => resolve({ status, bytes }));
    req.end();
  });
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

  /** The access-log rows of `endpoint`, once the server has recorded the request (its close may come after the client's). */
  async function storedRows(endpoint: string): Promise<Array<Record<string, unknown>>> {
    const audit = app.get(AuditService);
    let rows: Array<Record<string, unknown>> = [];
    await until(async () => {
      await audit.flush({ waitForPersistence: true });
      rows = await db.rows('api_access_logs', 'endpoint = $1', [endpoint]);
      return rows.length > 0;
    });
    return rows;
  }

  it('is recorded once, with status 499 and a message', async () => {
    await abandon(port, '/abort/slow', 100);
    await new Promise((r) => setTimeout(r, 700)); // the handler finishes after the client left
    await app.get(AuditService).flush({ waitForPersistence: true });

    const rows = await db.rows('api_access_logs', 'endpoint = $1', ['/abort/slow']);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status_code: 499, error_message: 'Client closed the connection before the response was sent' });
  });

  it('a client that leaves an SSE stream it was receiving gets the status it received, and the audited handler a row', async () => {
    expect(await leaveAfter(port, '/abort/events', 40)).toBe(200);
    const rows = await storedRows('/abort/events');
    expect(rows).toEqual([
      expect.objectContaining({ status_code: 200, response_size_bytes: null, error_message: 'Client closed the connection before the response was complete' }),
    ]);
    const [audited] = await db.rows('audit_logs', 'action = $1', ['events.stream']);
    expect(audited).toMatchObject({ status: 'success', request_id: rows[0].request_id });
  });

  it('a response the server cuts short (a stream that failed) is not blamed on the client', async () => {
    const received = await download(port, '/abort/broken-file');
    expect(received).toMatchObject({ status: 200, bytes: 64 * 1024 });
    const rows = await storedRows('/abort/broken-file');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status_code: 200, error_message: 'The server closed the connection before the response was complete' });
  });
});
