import type { INestApplication } from '@nestjs/common';
import {
  AnalyticsConfigurationError,
  AnalyticsValidationError,
  AuditService,
  AuditSeverity,
  AuthEventType,
  runWithAnalyticsContext,
} from '../src';
import { bootAnalytics, testOptions } from './support/test-app';
import { TestDatabase } from './support/test-database';
import { uniqueNames } from './support/test-names';
import { obliterateAndClose, openQueue } from './support/test-queue';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HASH_KEY = 'e2e-hash-key-0123456789';

describe('AuditService end to end (PostgreSQL + Redis)', () => {
  const names = uniqueNames('audit');
  let app: INestApplication;
  let audit: AuditService;
  let db: TestDatabase;

  beforeAll(async () => {
    ({ app, audit } = await bootAnalytics(testOptions(names, { hashKey: HASH_KEY, redactKeys: ['internalNote'] })));
    db = await new TestDatabase(names.schema).connect();
  });

  afterAll(async () => {
    await app.close();
    await db.dropAndClose();
    await obliterateAndClose(openQueue(names.queueName));
  });

  const persist = () => audit.flush({ waitForPersistence: true, timeoutMs: 20_000 });

  it('log() stores every column it was given, with a UUID v7 id and the time it happened', async () => {
    const occurredAt = new Date('2026-01-02T03:04:05.678Z');
    const id = audit.log({
      action: 'invoice.approve',
      message: 'Approved invoice 42',
      severity: AuditSeverity.WARNING,
      userId: 'user-1',
      userEmail: 'ann@example.com',
      tenantId: 'tenant-1',
      sessionId: 'sess-1',
      correlationId: 'corr-1',
      sourceIp: '10.0.0.1',
      userAgent: 'jest',
      sourceSystem: 'web',
      area: 'billing',
      resourceType: 'invoice',
      resourceId: 42,
      parentResourceId: 'account-7',
      category: 'finance',
      tags: ['approval', 'q1'],
      metadata: { amount: 100, password: 'hunter2', nested: { api_key: 'k', internalNote: 'x' } },
      retentionPolicy: '7y',
      isSensitive: true,
      isComplianceRelevant: true,
      durationMs: 12.5,
      occurredAt,
    });
    expect(id).toMatch(UUID_V7);
    await persist();
    const [row] = await db.rows('audit_logs', 'id = $1', [id]);
    expect(row).toMatchObject({
      action: 'invoice.approve',
      message: 'Approved invoice 42',
      severity: 'warning',
      status: 'success',
      user_id: 'user-1',
      user_email: 'ann@example.com',
      tenant_id: 'tenant-1',
      session_id: 'sess-1',
      correlation_id: 'corr-1',
      source_ip: '10.0.0.1',
      user_agent: 'jest',
      source_system: 'web',
      area: 'billing',
      resource_type: 'invoice',
      resource_id: '42',
      parent_resource_id: 'account-7',
      category: 'finance',
      tags: ['approval', 'q1'],
      retention_policy: '7y',
      is_sensitive: true,
      is_compliance_relevant: true,
      duration_ms: 12.5,
    });
    expect(row.created_at.toISOString()).toBe(occurredAt.toISOString());
    expect(row.metadata).toEqual({
      amount: 100,
      password: '[REDACTED]',
      nested: { api_key: '[REDACTED]', internalNote: '[REDACTED]' },
    });
  });

  it('logUserAction, logWorkflowAction and logSystemEvent fill user, operation and source system', async () => {
    const userAction = audit.logUserAction('user-2', 'project.rename', 'Renamed', {
      resourceType: 'project',
      resourceId: 'p1',
      beforeData: { name: 'old', owner: 'a' },
      afterData: { name: 'new', owner: 'a' },
    });
    const workflow = audit.logWorkflowAction('op-9', 'import.step', 'Imported 10 rows', { metadata: { rows: 10 } });
    const system = audit.logSystemEvent('cache.purge', 'Purged cache');
    await persist();
    const [u] = await db.rows('audit_logs', 'id = $1', [userAction]);
    expect(u).toMatchObject({ user_id: 'user-2', action: 'project.rename', message: 'Renamed', resource_id: 'p1' });
    expect(u.before_data).toEqual({ name: 'old', owner: 'a' });
    expect(u.after_data).toEqual({ name: 'new', owner: 'a' });
    expect(u.changes).toEqual({ name: { from: 'old', to: 'new' } });
    const [w] = await db.rows('audit_logs', 'id = $1', [workflow]);
    expect(w).toMatchObject({ operation_id: 'op-9', action: 'import.step', metadata: { rows: 10 } });
    const [s] = await db.rows('audit_logs', 'id = $1', [system]);
    expect(s).toMatchObject({ action: 'cache.purge', source_system: 'system', user_id: null });
  });

  it('logAuthEvent stores the event with the context it was made in', async () => {
    const id = runWithAnalyticsContext({ requestId: 'req-auth-1', ipAddress: '192.0.2.7', userAgent: 'curl/8' }, () =>
      audit.logAuthEvent({
        eventType: AuthEventType.LOGIN_FAILED,
        success: false,
        userId: 'user-3',
        errorMessage: 'bad password',
        metadata: { method: 'password', token: 'abc' },
      }),
    );
    await persist();
    const [row] = await db.rows('authentication_logs', 'id = $1', [id]);
    expect(row).toMatchObject({
      request_id: 'req-auth-1',
      user_id: 'user-3',
      event_type: 'login_failed',
      success: false,
      ip_address: '192.0.2.7',
      user_agent: 'curl/8',
      error_message: 'bad password',
      metadata: { method: 'password', token: '[REDACTED]' },
    });
  });

  it('values at the edge of what the columns hold are stored, and fail no batch', async () => {
    const failedBefore = audit.stats().failed;
    const edge = audit.logExternalApiCall({
      service: 'gemini',
      model: 'gemini-2.5-flash',
      statusCode: 999,
      inputTokens: 3e12,
      outputTokens: 3e12,
      responseSizeBytes: 1e12,
      occurredAt: new Date('9999-12-31T23:59:59.999Z'),
    });
    const oldest = audit.trackEvent('edge.oldest', { s: 'x\ud800' }, { occurredAt: new Date('0001-01-01T00:00:00.000Z') });
    await persist();
    const [e] = await db.rows('external_api_call_logs', 'id = $1', [edge]);
    expect(e).toMatchObject({ status_code: 999, input_tokens: 2_147_483_647, response_size_bytes: 2_147_483_647, cost_estimate: null });
    const [o] = await db.rows('event_logs', 'id = $1', [oldest]);
    expect(o.properties).toEqual({ s: 'x\ufffd' });
    expect(audit.stats().failed).toBe(failedBefore);
  });

  it('logExternalApiCall stores tokens and a six-decimal cost, and NULL (not 0) when unknown', async () => {
    const known = audit.logExternalApiCall({
      service: 'gemini',
      endpoint: '/v1beta/models/gemini-2.5-flash:generateContent',
      model: 'gemini-2.5-flash',
      statusCode: 200,
      responseTimeMs: 321,
      inputTokens: 1200,
      outputTokens: 300,
      cachedInputTokens: 200,
      reasoningTokens: 100,
      costEstimate: 0.0012345678,
      requestSizeBytes: 512,
      responseSizeBytes: 2048,
      metadata: { authorization: 'Bearer x', prompt: 'hi' },
      userId: 'user-4',
    });
    const unknown = audit.logExternalApiCall({ service: 'stripe', method: 'get', statusCode: 502, errorMessage: 'Bad gateway' });
    await persist();
    const [k] = await db.rows('external_api_call_logs', 'id = $1', [known]);
    expect(k).toMatchObject({
      service: 'gemini',
      method: 'POST',
      model: 'gemini-2.5-flash',
      status_code: 200,
      response_time_ms: 321,
      input_tokens: 1200,
      output_tokens: 300,
      cached_input_tokens: 200,
      reasoning_tokens: 100,
      cost_estimate: '0.001235',
      request_size_bytes: 512,
      response_size_bytes: 2048,
      user_id: 'user-4',
      metadata: { authorization: '[REDACTED]', prompt: 'hi' },
    });
    const [u] = await db.rows('external_api_call_logs', 'id = $1', [unknown]);
    expect(u).toMatchObject({
      service: 'stripe',
      method: 'GET',
      status_code: 502,
      error_message: 'Bad gateway',
      input_tokens: null,
      output_tokens: null,
      cost_estimate: null,
    });
  });

  it('secrets inside values (a Gemini URL key, a bearer token, a JWT, a database password) never reach a table', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    const call = audit.logExternalApiCall({
      service: 'gemini',
      endpoint: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent?key=AIzaSyA-1234567890abcdefghijklmnopqrstu',
      statusCode: 401,
      errorMessage: 'upstream refused Authorization: Bearer 8f2a1c9e7b6d5a4f3e2d1c0b',
      metadata: { callback: `https://app.test/hook?token=t-123&id=7`, note: `session ${jwt}` },
    });
    const entry = audit.logSystemEvent('db.unreachable', 'connect ECONNREFUSED postgres://app:hunter2@db.internal:5432/app', {
      errorMessage: 'retry with password=hunter2',
    });
    await persist();
    const [c] = await db.rows('external_api_call_logs', 'id = $1', [call]);
    expect(c).toMatchObject({
      endpoint: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent?key=[REDACTED]',
      error_message: 'upstream refused Authorization: Bearer [REDACTED]',
      metadata: { callback: 'https://app.test/hook?token=[REDACTED]&id=7', note: 'session [REDACTED]' },
    });
    const [a] = await db.rows('audit_logs', 'id = $1', [entry]);
    expect(a).toMatchObject({
      message: 'connect ECONNREFUSED postgres://app:[REDACTED]@db.internal:5432/app',
      error_message: 'retry with password=[REDACTED]',
    });
    const stored = JSON.stringify([c, a]);
    for (const secret of ['AIzaSy', '8f2a1c9e', 't-123', jwt, 'hunter2']) expect(stored).not.toContain(secret);
  });

  it('trackEvent stores the event; a dedupKey logs once, even across flushes', async () => {
    const subjectHash = audit.hashIdentifier('ann@example.com');
    const first = audit.trackEvent('experiment.exposed', { variant: 'b' }, { userId: 'user-5', subjectHash, value: 3, dedupKey: 'exp-1:user-5' });
    const second = audit.trackEvent('experiment.exposed', { variant: 'a' }, { userId: 'user-5', dedupKey: 'exp-1:user-5' });
    await persist();
    const third = audit.trackEvent('experiment.exposed', { variant: 'c' }, { userId: 'user-5', dedupKey: 'exp-1:user-5' });
    const plain = audit.trackEvent('host_request.sent', { listingId: 'l1' }, { source: 'frontend' });
    await persist();
    const rows = await db.rows('event_logs', 'dedup_key = $1', ['exp-1:user-5']);
    expect(rows.map((r) => r.id)).toEqual([first]);
    expect(rows[0]).toMatchObject({ event_type: 'experiment.exposed', subject_hash: subjectHash, value: 3, properties: { variant: 'b' } });
    expect(await db.rows('event_logs', 'id = ANY($1)', [[second, third]])).toHaveLength(0);
    const [p] = await db.rows('event_logs', 'id = $1', [plain]);
    expect(p).toMatchObject({ event_type: 'host_request.sent', source: 'frontend', value: 1, dedup_key: null });
    expect(p.occurred_at.toISOString()).toBe(p.created_at.toISOString());
  });

  it('refuses invalid arguments with AnalyticsValidationError, at once', () => {
    expect(() => audit.log({} as any)).toThrow(AnalyticsValidationError);
    expect(() => audit.log({ action: '  ' })).toThrow(/action is required/);
    expect(() => audit.trackEvent('signup', {}, { subjectHash: 'ann@example.com' })).toThrow(/64 lowercase hex/);
    expect(() => audit.log({ action: 'a', severity: 'loud' as any })).toThrow(/severity must be one of/);
    expect(() => audit.logAuthEvent({ eventType: 'login' } as any)).toThrow(/success must be a boolean/);
  });

  it('hashIdentifier is a keyed HMAC-SHA256', () => {
    const hash = audit.hashIdentifier('ann@example.com');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(audit.hashIdentifier('ann@example.com')).toBe(hash);
    expect(audit.hashIdentifier('bob@example.com')).not.toBe(hash);
  });

  it('truncates oversized values and survives circular objects and BigInts', async () => {
    const circular: any = { name: 'loop', count: 10n };
    circular.self = circular;
    const id = audit.log({ action: 'big.payload', message: 'x'.repeat(50_000), metadata: circular });
    await persist();
    const [row] = await db.rows('audit_logs', 'id = $1', [id]);
    expect(row.message.length).toBeLessThanOrEqual(10_000);
    expect(row.message.endsWith('…[truncated]')).toBe(true);
    expect(row.metadata).toEqual({ name: 'loop', count: '10', self: '[Circular]' });
  });

  it('counts what it accepted, sent and persisted', () => {
    const stats = audit.stats();
    expect(stats.accepted).toBeGreaterThanOrEqual(10);
    expect(stats.sent).toBe(stats.accepted);
    expect(stats.persisted).toBe(stats.accepted);
    expect(stats).toMatchObject({ buffered: 0, dropped: 0, failed: 0 });
  });
});

describe('AuditService without a hashKey', () => {
  const names = uniqueNames('nokey');
  let app: INestApplication;
  let audit: AuditService;

  beforeAll(async () => {
    ({ app, audit } = await bootAnalytics(testOptions(names, { runMigrations: false, worker: { enabled: false } })));
  });
  afterAll(async () => {
    await app.close();
    await obliterateAndClose(openQueue(names.queueName));
  });

  it('hashIdentifier explains how to configure the key', () => {
    expect(() => audit.hashIdentifier('ann@example.com')).toThrow(AnalyticsConfigurationError);
    expect(() => audit.hashIdentifier('ann@example.com')).toThrow(/hashKey.*ANALYTICS_HASH_KEY/);
  });
});
