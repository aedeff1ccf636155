import { INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AnalyticsModule, AnalyticsTestingModule, AnalyticsTestingStore, AuditService } from '../src';
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
  it('follows the app\'s trust proxy setting, as req.ip does', async () => {
    const app = await bootHttpApp('express', AnalyticsTestingModule.forRoot());
    (app.getHttpAdapter().getInstance() as { set(k: string, v: unknown): void }).set('trust proxy', true);
    await request(app.getHttpServer()).get('/items/1').set('x-forwarded-for', '203.0.113.9');
    expect(app.get(AnalyticsTestingStore).accessLogs()).toEqual([expect.objectContaining({ ip_address: '203.0.113.9' })]);
    await app.close();
  });
});
