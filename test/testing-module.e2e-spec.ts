import { INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ExpressAdapter } from '@nestjs/platform-express';
import { AnalyticsModule, AnalyticsTestingModule, AnalyticsTestingStore, AuditService, getAnalyticsContext } from '../src';
import { RequestTracker } from '../src/capture/request-tracker';
import { trackExpressApp } from '../src/capture/express-request.tracking';
import { bootHttpApp, ItemsController, ItemsService, FakeGeminiClient, Platform } from './support/capture-app';

const platforms: Platform[] = ['express', 'fastify'];

describe.each(platforms)('AnalyticsTestingModule on %s (no PostgreSQL, no Redis)', (platform) => {
  let app: INestApplication;
  let store: AnalyticsTestingStore;

  beforeAll(async () => {
    app = await bootHttpApp(platform, AnalyticsTestingModule.forRoot());
    store = app.get(AnalyticsTestingStore);
  });
  afterAll(() => app.close());
  afterEach(() => store.clear());

  it('keeps access-log rows in memory', async () => {
    await request(app.getHttpServer()).get('/items/3').set('x-request-id', 'mem-1');
    await request(app.getHttpServer()).get('/nope').set('x-request-id', 'mem-2');
    expect(store.accessLogs()).toEqual([
      expect.objectContaining({ request_id: 'mem-1', route: '/items/:id', status_code: 200, handler: 'ItemsController.get' }),
      expect.objectContaining({ request_id: 'mem-2', route: null, status_code: 404 }),
    ]);
  });

  it('runs the decorators and AuditService the same way', async () => {
    await request(app.getHttpServer()).post('/items/1/summary').set('x-user', 'u-9').set('x-request-id', 'mem-3');
    expect(store.auditLogs()).toEqual([expect.objectContaining({ action: 'item.summarize', user_id: 'u-9', request_id: 'mem-3' })]);
    expect(store.externalCalls()).toEqual([
      expect.objectContaining({ service: 'gemini', input_tokens: 1000, output_tokens: 250, request_id: 'mem-3' }),
    ]);
    expect(store.events()).toEqual([expect.objectContaining({ event_type: 'item.summarized' })]);
    app.get(AuditService).logAuthEvent({ eventType: 'login', success: true, userId: 'u-9' });
    expect(store.authLogs()).toEqual([expect.objectContaining({ event_type: 'login', success: true, user_id: 'u-9' })]);
  });

  it('enforces dedupKey log-once like the database does', () => {
    const audit = app.get(AuditService);
    audit.trackEvent('exp.exposed', {}, { dedupKey: 'exp:1' });
    audit.trackEvent('exp.exposed', {}, { dedupKey: 'exp:1' });
    expect(store.events()).toHaveLength(1);
  });

  it('hashIdentifier without a hashKey names the testing module\'s option, since it reads no ANALYTICS_HASH_KEY', () => {
    expect(() => app.get(AuditService).hashIdentifier('ann@example.com')).toThrow(/AnalyticsTestingModule\.forRoot\(\{ hashKey \}\)/);
  });

  it('clear() forgets everything', async () => {
    app.get(AuditService).log({ action: 'x' });
    expect(store.records()).toHaveLength(1);
    store.clear();
    expect(store.records()).toHaveLength(0);
  });
});

describe('AnalyticsTestingModule replacing AnalyticsModule in an app', () => {
  it('works through overrideModule()', async () => {
    const analytics = AnalyticsModule.forRoot({ database: { url: 'postgres://nobody@127.0.0.1:1/none' } });
    @Module({ imports: [analytics], controllers: [ItemsController], providers: [ItemsService, FakeGeminiClient] })
    class UserAppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [UserAppModule] })
      .overrideModule(analytics)
      .useModule(AnalyticsTestingModule.forRoot())
      .compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    await request(app.getHttpServer()).get('/items/5');
    expect(app.get(AnalyticsTestingStore).accessLogs()).toEqual([expect.objectContaining({ endpoint: '/items/5', status_code: 200 })]);
    await app.close();
  });
});

describe.each(platforms)('Sampling and trackAuthenticatedOnly on %s', (platform) => {
  it('with sampling at rate 0, drops successes and keeps every request with status >= 400', async () => {
    const app = await bootHttpApp(platform, AnalyticsTestingModule.forRoot({ sampling: { enabled: true, rate: 0 } }));
    const store = app.get(AnalyticsTestingStore);
    const http = request(app.getHttpServer());
    await http.get('/items/1');
    await http.get('/items/2');
    await http.get('/missing');
    await http.get('/boom');
    await http.post('/items').send({});
    expect(store.accessLogs().map((r) => r.status_code).sort()).toEqual([400, 404, 500]);
    expect(app.get(AuditService).stats().skipped).toBe(2);
    await app.close();
  });

  it('with sampling at rate 1, keeps everything', async () => {
    const app = await bootHttpApp(platform, AnalyticsTestingModule.forRoot({ sampling: { enabled: true, rate: 1 } }));
    await request(app.getHttpServer()).get('/items/1');
    expect(app.get(AnalyticsTestingStore).accessLogs()).toHaveLength(1);
    await app.close();
  });

  it('with trackAuthenticatedOnly, drops successful anonymous requests but never errors', async () => {
    const app = await bootHttpApp(platform, AnalyticsTestingModule.forRoot({ trackAuthenticatedOnly: true }));
    const store = app.get(AnalyticsTestingStore);
    const http = request(app.getHttpServer());
    await http.get('/items/1');
    await http.get('/private');
    const ok = await http.get('/private').set('x-user', 'alice');
    expect(ok.status).toBe(200);
    expect(store.accessLogs()).toEqual([
      expect.objectContaining({ endpoint: '/private', user_id: null, status_code: 401 }),
      expect.objectContaining({ endpoint: '/private', user_id: 'alice', status_code: 200 }),
    ]);
    expect(app.get(AuditService).stats().skipped).toBe(1);
    await app.close();
  });
});

describe.each(platforms)('Client IP on %s', (platform) => {
  it('never trusts a raw X-Forwarded-For by itself', async () => {
    const app = await bootHttpApp(platform, AnalyticsTestingModule.forRoot());
    await request(app.getHttpServer()).get('/items/1').set('x-forwarded-for', '203.0.113.9');
    const [row] = app.get(AnalyticsTestingStore).accessLogs();
    expect(row.ip_address).toMatch(/127\.0\.0\.1|::1/);
    await app.close();
  });
});

describe('Client IP on express with trust proxy', () => {
  it('follows the app\'s trust proxy setting, as req.ip does, in the row and in the handler\'s context', async () => {
    const app = await bootHttpApp('express', AnalyticsTestingModule.forRoot());
    const express = app.getHttpAdapter().getInstance() as { set(k: string, v: unknown): void };
    express.set('trust proxy', true);
    const viaServer = await request(app.getHttpServer()).get('/context').set('x-forwarded-for', '203.0.113.9');
    const viaApp = await request(express as never).get('/context').set('x-forwarded-for', '203.0.113.10');
    expect([viaServer.body.ipAddress, viaApp.body.ipAddress]).toEqual(['203.0.113.9', '203.0.113.10']);
    expect(app.get(AnalyticsTestingStore).accessLogs()).toEqual([
      expect.objectContaining({ ip_address: '203.0.113.9' }),
      expect.objectContaining({ ip_address: '203.0.113.10' }),
    ]);
    await app.close();
  });
});

describe('Express: every way into the app', () => {
  let app: INestApplication;
  let store: AnalyticsTestingStore;
  beforeEach(async () => {
    app = await bootHttpApp('express', AnalyticsTestingModule.forRoot());
    store = app.get(AnalyticsTestingStore);
  });
  afterEach(() => app.close());

  it('tracks a request through the app\'s own server once, by its wrapped handle()', async () => {
    const express = app.getHttpAdapter().getInstance() as { handle: { name: string } };
    expect(express.handle.name).toBe('analyticsTrackedHandle');
    const res = await request(app.getHttpServer()).get('/context').set('x-request-id', 'srv-1');
    expect(res.headers['x-request-id']).toBe('srv-1');
    expect(res.body).toEqual({ requestId: 'srv-1', ipAddress: expect.stringMatching(/127\.0\.0\.1|::1/) });
    expect(store.accessLogs()).toEqual([
      expect.objectContaining({ request_id: 'srv-1', route: '/context', status_code: 200, handler: 'MiscController.context' }),
    ]);
  });

  it('tracks a request that reaches the Express app by another server (supertest(app), a second HTTPS server)', async () => {
    const res = await request(app.getHttpAdapter().getInstance()).get('/context').set('x-request-id', 'other-1');
    const generated = await request(app.getHttpAdapter().getInstance()).get('/nope');
    expect(res.headers['x-request-id']).toBe('other-1');
    expect(res.body).toEqual({ requestId: 'other-1', ipAddress: expect.stringMatching(/127\.0\.0\.1|::1/) });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(store.accessLogs()).toEqual([
      expect.objectContaining({ request_id: 'other-1', route: '/context', status_code: 200 }),
      expect.objectContaining({ request_id: generated.headers['x-request-id'], route: null, status_code: 404 }),
    ]);
  });

  it('tracks by a plain middleware an app that has no handle() to wrap', async () => {
    const express = new ExpressAdapter().getInstance();
    trackExpressApp({ get: (name) => express.get(name), use: (handler) => express.use(handler) }, app.get(RequestTracker));
    express.get('/plain', (_req: unknown, res: { json(body: unknown): void }) => {
      res.json({ requestId: getAnalyticsContext()?.requestId });
    });
    const res = await request(express).get('/plain').set('x-request-id', 'plain-1');
    expect(res.body).toEqual({ requestId: 'plain-1' });
    expect(res.headers['x-request-id']).toBe('plain-1');
    expect(store.accessLogs()).toEqual([expect.objectContaining({ request_id: 'plain-1', endpoint: '/plain', route: '/plain', status_code: 200 })]);
  });
});

describe('Express: middleware added with app.use()', () => {
  it('records responses sent by middleware added with app.use() before Nest\'s router (a rate limiter\'s 429)', async () => {
    @Module({ imports: [AnalyticsTestingModule.forRoot()], controllers: [ItemsController], providers: [ItemsService, FakeGeminiClient] })
    class LimitedModule {}
    const moduleRef = await Test.createTestingModule({ imports: [LimitedModule] }).compile();
    const limited = moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
    limited.use((req: { url: string }, res: { statusCode: number; end(): void }, next: () => void) => {
      if (!req.url.startsWith('/items/9')) return next();
      res.statusCode = 429;
      res.end();
    });
    await limited.init();
    const res = await request(limited.getHttpServer()).get('/items/9').set('x-request-id', 'limited-1');
    await request(limited.getHttpServer()).get('/items/1').set('x-request-id', 'passed-1');
    expect(res.status).toBe(429);
    expect(res.headers['x-request-id']).toBe('limited-1');
    expect(limited.get(AnalyticsTestingStore).accessLogs()).toEqual([
      expect.objectContaining({ request_id: 'limited-1', endpoint: '/items/9', route: null, status_code: 429, handler: null }),
      expect.objectContaining({ request_id: 'passed-1', endpoint: '/items/1', route: '/items/:id', status_code: 200 }),
    ]);
    await limited.close();
  });
});

describe('AnalyticsTestingModule options', () => {
  it('hashes with the hashKey given to forRoot()', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AnalyticsTestingModule.forRoot({ hashKey: 'testing-hash-key-0123456789' })],
    }).compile();
    const audit = moduleRef.get(AuditService);
    expect(audit.hashIdentifier('ann@example.com')).toMatch(/^[0-9a-f]{64}$/);
    await moduleRef.close();
  });
});
