import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AnalyticsModule, AuditService } from '../src';
import { bootHttpApp, Platform } from './support/capture-app';
import { testOptions } from './support/test-app';
import { TestDatabase } from './support/test-database';
import { uniqueNames } from './support/test-names';
import { obliterateAndClose, openQueue } from './support/test-queue';

const platforms: Platform[] = ['express', 'fastify'];

describe.each(platforms)('Request capture on %s', (platform) => {
  const names = uniqueNames(`cap_${platform}`);
  let app: INestApplication;
  let db: TestDatabase;
  let audit: AuditService;

  beforeAll(async () => {
    app = await bootHttpApp(platform, AnalyticsModule.forRoot(testOptions(names, { flush: { intervalMs: 100 } })));
    audit = app.get(AuditService);
    db = await new TestDatabase(names.schema).connect();
  });
  afterAll(async () => {
    await app.close();
    await db.dropAndClose();
    await obliterateAndClose(openQueue(names.queueName));
  });

  const persist = () => audit.flush({ waitForPersistence: true, timeoutMs: 20_000 });
  const http = () => request(app.getHttpServer());
  /** The access-log row of the request with this id. */
  async function accessRow(requestId: string) {
    await persist();
    const rows = await db.rows('api_access_logs', 'request_id = $1', [requestId]);
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  it('logs a successful request with route template, handler, sizes and redacted query', async () => {
    const res = await http().get('/items/7?color=red&token=abc&tag=a&tag=b').set('x-request-id', 'req-ok-1').set('user-agent', 'jest-agent');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('req-ok-1');
    const row = await accessRow('req-ok-1');
    expect(row).toMatchObject({
      method: 'GET',
      endpoint: '/items/7',
      route: '/items/:id',
      handler: 'ItemsController.get',
      status_code: 200,
      user_agent: 'jest-agent',
      query_params: { color: 'red', token: '[REDACTED]', tag: ['a', 'b'] },
      error_message: null,
      response_size_bytes: Number(res.headers['content-length']),
    });
    expect(row.ip_address).toMatch(/127\.0\.0\.1|::1/);
    expect(row.response_time_ms).toBeGreaterThan(0);
  });

  it('stores a query whose cut falls inside an emoji, with bracket-notation secrets redacted, and fails no batch', async () => {
    const emoji = encodeURIComponent('\u{1F600}');
    const failedBefore = audit.stats().failed;
    await http().get(`/items/7?q=a${emoji.repeat(1001)}&user[password]=hunter2&token[]=t1`).set('x-request-id', 'req-emoji');
    const row = await accessRow('req-emoji');
    expect(row.query_params['user[password]']).toBe('[REDACTED]');
    expect(row.query_params['token[]']).toBe('[REDACTED]');
    expect(row.query_params.q).toMatch(/^a\u{1F600}+…\[truncated\]$/u);
    expect(audit.stats().failed).toBe(failedBefore);
  });

  it('redacts a JWT in the path and secrets inside query values, and keeps the rest', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    const next = encodeURIComponent('https://maps.test/api?key=AIza-secret&zoom=3');
    await http().get(`/items/${jwt}?next=${next}&color=red`).set('x-request-id', 'req-jwt');
    const row = await accessRow('req-jwt');
    expect(row).toMatchObject({
      endpoint: '/items/[REDACTED]',
      route: '/items/:id',
      query_params: { next: 'https://maps.test/api?key=[REDACTED]&zoom=3', color: 'red' },
    });
  });

  it('a record made in a middleware, before the guard, does not keep the user from the request row', async () => {
    await http().get('/private').set('x-user', 'u-early').set('x-early-event', '1').set('x-request-id', 'req-early').expect(200);
    expect(await accessRow('req-early')).toMatchObject({ user_id: 'u-early', handler: 'MiscController.private' });
    const [event] = await db.rows('event_logs', 'request_id = $1', ['req-early']);
    expect(event).toMatchObject({ event_type: 'request.early', user_id: null });
  });

  it('runWithAnalyticsContext in a middleware adds to the request: user, handler and error still reach its row', async () => {
    await http().post('/items/1/summary').set('x-user', 'u-tenant').set('x-tenant', 'tenant-42').set('x-request-id', 'req-tenant').expect(201);
    expect(await accessRow('req-tenant')).toMatchObject({ user_id: 'u-tenant', handler: 'ItemsController.summarize', status_code: 201 });
    const [audited] = await db.rows('audit_logs', 'request_id = $1', ['req-tenant']);
    expect(audited).toMatchObject({ action: 'item.summarize', user_id: 'u-tenant', tenant_id: 'tenant-42' });
    await http().get('/boom').set('x-tenant', 'tenant-42').set('x-request-id', 'req-tenant-boom').expect(500);
    expect(await accessRow('req-tenant-boom')).toMatchObject({ handler: 'MiscController.boom', error_message: 'kaboom' });
  });

  it('names the handler of a request-scoped controller and keeps its error message', async () => {
    await http().get('/scoped/boom').set('x-request-id', 'req-scoped').expect(500);
    expect(await accessRow('req-scoped')).toMatchObject({ route: '/scoped/boom', handler: 'ScopedController.boom', error_message: 'scoped kaboom' });
  });

  it('logs an unknown route as 404 with a null route', async () => {
    const res = await http().get('/does/not/exist').set('x-request-id', 'req-404');
    expect(res.status).toBe(404);
    expect(await accessRow('req-404')).toMatchObject({ status_code: 404, route: null, endpoint: '/does/not/exist', error_message: 'Not Found' });
  });

  it('records the user the guard set and the session id (req.sessionID the request came with, or req.session.id)', async () => {
    const cookie = 'connect.sid=s%3Asid-1.c2lnbmF0dXJl';
    await http().get('/private').set('x-request-id', 'req-sess-1').set('x-user', 'u-sess').set('x-session-id', 'sid-1').set('cookie', cookie).expect(200);
    await http().get('/private').set('x-request-id', 'req-sess-2').set('x-user', 'u-sess').set('x-session', 'sid-2').expect(200);
    await http().get('/private').set('x-request-id', 'req-sess-3').set('x-user', 'u-sess').expect(200);
    expect(await accessRow('req-sess-1')).toMatchObject({ user_id: 'u-sess', session_id: 'sid-1' });
    expect(await accessRow('req-sess-2')).toMatchObject({ user_id: 'u-sess', session_id: 'sid-2' });
    expect(await accessRow('req-sess-3')).toMatchObject({ user_id: 'u-sess', session_id: null });
    // express-session makes a sessionID for every request; one the client did not send back names no session.
    await http().get('/private').set('x-request-id', 'req-sess-4').set('x-user', 'u-sess').set('x-session-id', 'sid-unsaved').expect(200);
    expect(await accessRow('req-sess-4')).toMatchObject({ session_id: null });
    // Records made while the request is served carry its session too.
    await http().post('/items/1/summary').set('x-request-id', 'req-sess-5').set('x-user', 'u-sess').set('x-session-id', 'sid-1').set('cookie', cookie).expect(201);
    expect(await accessRow('req-sess-5')).toMatchObject({ session_id: 'sid-1' });
    const [audited] = await db.rows('audit_logs', 'request_id = $1', ['req-sess-5']);
    expect(audited).toMatchObject({ action: 'item.summarize', session_id: 'sid-1' });
  });

  it('logs guard rejections with the status the client got (401, 403) and the exception\'s message', async () => {
    expect((await http().get('/private').set('x-request-id', 'req-401')).status).toBe(401);
    expect(await accessRow('req-401')).toMatchObject({ status_code: 401, user_id: null, handler: null, error_message: 'Missing x-user' });
    expect((await http().get('/forbidden').set('x-request-id', 'req-403')).status).toBe(403);
    expect(await accessRow('req-403')).toMatchObject({ status_code: 403, endpoint: '/forbidden', error_message: 'Forbidden resource' });
  });

  it('logs validation failures as 400 with the pipe\'s messages, and handler crashes as 500 with the error message', async () => {
    const bad = await http().post('/items').set('x-request-id', 'req-400').send({ name: 7, quantity: 0 });
    expect(bad.status).toBe(400);
    expect(await accessRow('req-400')).toMatchObject({
      status_code: 400,
      route: '/items',
      method: 'POST',
      handler: null,
      error_message: 'name must be a string; quantity must not be less than 1',
    });
    expect((await http().get('/boom').set('x-request-id', 'req-500')).status).toBe(500);
    expect(await accessRow('req-500')).toMatchObject({ status_code: 500, error_message: 'kaboom', handler: 'MiscController.boom' });
  });

  it('logs an interceptor\'s rejection with its status and message; the handler never ran', async () => {
    expect((await http().get('/gated').set('x-request-id', 'req-408')).status).toBe(408);
    expect(await accessRow('req-408')).toMatchObject({ status_code: 408, route: '/gated', handler: null, error_message: 'upstream took too long' });
  });

  it('a handler error an interceptor answered with a fallback leaves the row a success, with its handler', async () => {
    expect((await http().get('/recovered').set('x-request-id', 'req-recovered')).status).toBe(200);
    expect(await accessRow('req-recovered')).toMatchObject({ status_code: 200, handler: 'MiscController.recovered', error_message: null });
    expect((await http().get('/recovered-stream').set('x-request-id', 'req-recovered-stream')).status).toBe(200);
    expect(await accessRow('req-recovered-stream')).toMatchObject({ status_code: 200, error_message: null });
  });

  it('an exception filter that answers with a success (a redirect to the login page) leaves the row without an error', async () => {
    expect((await http().get('/account').set('x-request-id', 'req-302')).status).toBe(302);
    expect(await accessRow('req-302')).toMatchObject({ status_code: 302, route: '/account', error_message: null });
  });

  it('a 404 a middleware threw keeps its message; only Nest\'s own for an unknown route is "Not Found"', async () => {
    expect((await http().get('/items/1').set('x-tenant', 'missing').set('x-request-id', 'req-tenant-404')).status).toBe(404);
    expect(await accessRow('req-tenant-404')).toMatchObject({ status_code: 404, handler: null, error_message: "Tenant 'missing' does not exist" });
  });

  it('a server-sent events stream that errors keeps its error on the row (it never reaches Nest\'s exceptions handler)', async () => {
    const res = await http().get('/events-broken').set('x-request-id', 'req-sse-broken');
    expect(res.status).toBe(200);
    expect(await accessRow('req-sse-broken')).toMatchObject({ status_code: 200, handler: 'MiscController.brokenEvents', error_message: 'event source broke' });
  });

  it('getAnalyticsContext() in a handler is a plain object an app can return, serialize or log', async () => {
    const res = await http().get('/context/all').set('x-user', 'u-ctx').set('x-request-id', 'req-context');
    expect(res.status).toBe(200);
    expect(res.body.context).toMatchObject({ requestId: 'req-context', sourceSystem: 'api' });
    expect(Object.keys(res.body.context).sort()).toEqual(expect.not.arrayContaining(['request', 'reply', 'rowValues']));
  });

  it('records the status set by an exception filter', async () => {
    expect((await http().get('/teapot').set('x-request-id', 'req-418')).status).toBe(418);
    expect(await accessRow('req-418')).toMatchObject({ status_code: 418, error_message: 'short and stout' });
  });

  it('logs streamed and empty responses', async () => {
    const streamed = await http().get('/stream').set('x-request-id', 'req-stream');
    expect(streamed.status).toBe(200);
    expect(streamed.text).toBe('chunk-1 chunk-2');
    expect(await accessRow('req-stream')).toMatchObject({ status_code: 200, handler: 'MiscController.stream' });
    expect((await http().get('/empty').set('x-request-id', 'req-204')).status).toBe(204);
    expect(await accessRow('req-204')).toMatchObject({ status_code: 204, response_size_bytes: null });
  });

  it('skips skipPaths by whole segments: /health is not logged, /healthy is', async () => {
    const skipped = await http().get('/health').set('x-request-id', 'req-health');
    expect(skipped.headers['x-request-id']).toBeUndefined();
    await http().get('/healthy').set('x-request-id', 'req-healthy');
    await persist();
    expect(await db.rows('api_access_logs', 'request_id = $1', ['req-health'])).toHaveLength(0);
    expect(await db.rows('api_access_logs', 'request_id = $1', ['req-healthy'])).toHaveLength(1);
  });

  it('replaces an invalid x-request-id with a UUID and echoes it', async () => {
    const res = await http().get('/items/1').set('x-request-id', 'bad id with spaces');
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await accessRow(id)).toMatchObject({ endpoint: '/items/1' });
    const none = await http().get('/items/1');
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('stamps audit, external-call and event rows made inside a request with its id, user and trace', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await http()
      .post('/items/1/summary')
      .set('x-request-id', 'req-chain')
      .set('x-user', 'user-42')
      .set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`);
    expect(res.status).toBe(201);
    const access = await accessRow('req-chain');
    expect(access).toMatchObject({ user_id: 'user-42', trace_id: traceId, handler: 'ItemsController.summarize' });

    const [auditRow] = await db.rows('audit_logs', 'request_id = $1', ['req-chain']);
    expect(auditRow).toMatchObject({ action: 'item.summarize', status: 'success', user_id: 'user-42', trace_id: traceId, source_system: 'api' });
    expect(auditRow.metadata).toEqual({ args: ['1'] });
    const [call] = await db.rows('external_api_call_logs', 'request_id = $1', ['req-chain']);
    expect(call).toMatchObject({
      service: 'gemini',
      endpoint: 'models.generateContent',
      model: 'gemini-2.5-flash',
      user_id: 'user-42',
      status_code: 200,
      input_tokens: 1000,
      output_tokens: 250,
      reasoning_tokens: 50,
      cached_input_tokens: 400,
    });
    expect(call.cost_estimate).not.toBeNull();
    const [event] = await db.rows('event_logs', 'request_id = $1', ['req-chain']);
    expect(event).toMatchObject({ event_type: 'item.summarized', user_id: 'user-42' });
  });

  it('audits a controller method (success, with resource id from the result) and a failing service call', async () => {
    const created = await http().post('/items').set('x-request-id', 'req-create').send({ name: 'two', quantity: 2 });
    expect(created.status).toBe(201);
    await persist();
    const [createRow] = await db.rows('audit_logs', 'request_id = $1', ['req-create']);
    expect(createRow).toMatchObject({ action: 'item.create', resource_type: 'item', resource_id: '2', status: 'success' });
    expect(createRow.duration_ms).toBeGreaterThanOrEqual(0);

    const failed = await http().post('/items/404/rename').set('x-request-id', 'req-rename-fail').set('x-user', 'u1').send({ name: 'x' });
    expect(failed.status).toBe(500);
    await persist();
    const [failRow] = await db.rows('audit_logs', 'request_id = $1', ['req-rename-fail']);
    expect(failRow).toMatchObject({
      action: 'item.rename',
      status: 'failure',
      severity: 'error',
      error_code: 'ITEM_NOT_FOUND',
      error_message: 'No item 404',
      resource_id: '404',
    });
  });

  it('gives @Audited controller callbacks the handler\'s own arguments, and a pipe rejection (handler never ran) no audit row', async () => {
    await http().get('/items/77').set('x-request-id', 'req-read');
    await http().post('/items').set('x-request-id', 'req-invalid').send({ name: 1 });
    await persist();
    const [read] = await db.rows('audit_logs', 'request_id = $1', ['req-read']);
    expect(read).toMatchObject({ action: 'item.read', resource_id: '77', metadata: { args: ['77'] }, status: 'success' });
    expect(await db.rows('audit_logs', 'request_id = $1', ['req-invalid'])).toHaveLength(0);
  });

  it('records before/after state and the field-level diff', async () => {
    const res = await http().post('/items/1/rename').set('x-request-id', 'req-rename').set('x-user', 'u1').send({ name: 'uno' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: '1', name: 'uno', quantity: 1 });
    await persist();
    const [row] = await db.rows('audit_logs', 'request_id = $1', ['req-rename']);
    expect(row.before_data).toEqual({ id: '1', name: 'one', quantity: 1 });
    expect(row.after_data).toEqual({ id: '1', name: 'uno', quantity: 1 });
    expect(row.changes).toEqual({ name: { from: 'one', to: 'uno' } });
    expect(row.user_id).toBe('u1');
  });

  it('audits Observable-returning handlers when they complete', async () => {
    const res = await http().get('/observable').set('x-request-id', 'req-obs');
    expect(res.body).toEqual({ value: 42 });
    await persist();
    expect(await db.rows('audit_logs', 'request_id = $1', ['req-obs'])).toEqual([
      expect.objectContaining({ action: 'observable.read', status: 'success' }),
    ]);
  });
});
