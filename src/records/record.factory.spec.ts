import { AnalyticsValidationError } from '../analytics.errors';
import { runWithAnalyticsContext } from '../capture/request-context';
import type { AnalyticsModuleOptions } from '../options/analytics-module-options.interface';
import { resolveAnalyticsOptions } from '../options/analytics-options.factory';
import { AuditSeverity } from './audit.enums';
import { REDACTED } from './record-limits';
import { parseQuery, querySizeBound, RecordFactory } from './record.factory';
import { RecordSanitizer } from './record-sanitizer';
import { SecretKeys } from './secret-keys';
import { DEFAULT_REDACT_KEYS } from '../options/analytics-options.defaults';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HASH = 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8';

const factoryWith = (options: AnalyticsModuleOptions = {}) => new RecordFactory(resolveAnalyticsOptions(options, {}));

/** The AnalyticsValidationError thrown by `fn`. */
function validationError(fn: () => unknown): AnalyticsValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AnalyticsValidationError);
    return err as AnalyticsValidationError;
  }
  throw new Error('expected an AnalyticsValidationError');
}

describe('RecordFactory', () => {
  const factory = factoryWith();

  describe('validation', () => {
    it.each([undefined, '', '   ', 42])('refuses the action %p', (action) => {
      const error = validationError(() => factory.audit({ action } as any));

      expect(error.field).toBe('action');
      expect(error.message).toMatch(/^action is required and must be a non-empty string, got /);
    });

    it('refuses a missing entry', () => {
      expect(validationError(() => factory.audit(undefined as any)).field).toBe('entry');
    });

    it('refuses an unknown severity, listing the allowed ones', () => {
      const error = validationError(() => factory.audit({ action: 'a', severity: 'fatal' as any }));

      expect(error.field).toBe('severity');
      expect(error.message).toBe('severity must be one of debug, info, warning, error, critical, got "fatal"');
    });

    it.each([
      ['too short', HASH.slice(1)],
      ['upper case', HASH.toUpperCase()],
      ['an e-mail', 'someone@example.com'],
      ['not a string', 12345],
    ])('refuses a subjectHash that is %s', (_label, subjectHash) => {
      const error = validationError(() => factory.event('experiment.exposed', {}, { subjectHash: subjectHash as any }));

      expect(error.field).toBe('extra.subjectHash');
      expect(error.message).toContain('extra.subjectHash must be 64 lowercase hex characters');
    });

    it.each(['inputTokens', 'outputTokens', 'cachedInputTokens', 'reasoningTokens', 'requestSizeBytes', 'responseSizeBytes'])(
      'refuses a negative %s rather than storing it as 0',
      (field) => {
        const error = validationError(() => factory.externalCall({ service: 'openai', [field]: -5 }));
        expect(error.field).toBe(field);
        expect(error.message).toBe(`${field} must be a count of 0 or more, got -5`);
      },
    );

    it('refuses a negative duration (responseTimeMs of a call, durationMs of an audit entry)', () => {
      expect(validationError(() => factory.externalCall({ service: 'openai', responseTimeMs: -5 })).message).toBe(
        'responseTimeMs must be a duration in milliseconds of 0 or more, got -5',
      );
      expect(validationError(() => factory.audit({ action: 'a', durationMs: -1 })).field).toBe('durationMs');
      expect(factory.externalCall({ service: 'openai', responseTimeMs: 0 }).row.response_time_ms).toBe(0);
    });

    it('accepts a 64-hex subjectHash', () => {
      expect(factory.event('experiment.exposed', {}, { subjectHash: HASH }).row.subject_hash).toBe(HASH);
    });

    it('refuses a missing event type and a bad event source', () => {
      expect(validationError(() => factory.event('', {})).field).toBe('eventType');
      expect(validationError(() => factory.event('e', {}, { source: 'mobile' as any })).field).toBe('extra.source');
    });

    it('refuses an invalid occurredAt', () => {
      expect(validationError(() => factory.audit({ action: 'a', occurredAt: new Date('nope') })).field).toBe('occurredAt');
    });

    it('refuses an occurredAt outside the years 1 to 9999, which timestamptz cannot take', () => {
      expect(validationError(() => factory.audit({ action: 'a', occurredAt: new Date(8.64e15) })).message).toMatch(/years 1 to 9999/);
      expect(validationError(() => factory.event('e', {}, { occurredAt: new Date(Date.UTC(-1000, 0, 1)) })).field).toBe('extra.occurredAt');
    });

    it('refuses a status code or a cost the columns cannot hold', () => {
      expect(validationError(() => factory.externalCall({ service: 's', statusCode: 99999 })).field).toBe('statusCode');
      expect(validationError(() => factory.externalCall({ service: 's', statusCode: 200.5 })).field).toBe('statusCode');
      expect(validationError(() => factory.externalCall({ service: 's', costEstimate: 1e9 })).field).toBe('costEstimate');
      expect(validationError(() => factory.externalCall({ service: 's', costEstimate: -1 })).field).toBe('costEstimate');
    });

    it('refuses an auth event without a boolean success', () => {
      expect(validationError(() => factory.auth({ eventType: 'login', success: 'yes' as any })).field).toBe('success');
    });

    it('refuses an external call without a service', () => {
      expect(validationError(() => factory.externalCall({} as any)).field).toBe('service');
    });
  });

  describe('audit rows', () => {
    it('defaults status to success and severity to info, or error on failure', () => {
      expect(factory.audit({ action: 'a' }).row).toMatchObject({ status: 'success', severity: 'info' });
      expect(factory.audit({ action: 'a', status: 'failure' }).row).toMatchObject({ status: 'failure', severity: 'error' });
      expect(factory.audit({ action: 'a', severity: AuditSeverity.CRITICAL }).row.severity).toBe('critical');
    });

    it('goes to audit_logs', () => {
      expect(factory.audit({ action: 'project.update' })).toMatchObject({ table: 'audit_logs', row: { action: 'project.update' } });
    });

    it('computes changes from beforeData and afterData', () => {
      const { row } = factory.audit({
        action: 'project.update',
        beforeData: { name: 'Old', settings: { public: false }, tags: ['a'] },
        afterData: { name: 'New', settings: { public: true }, tags: ['a'] },
      });

      expect(row.changes).toEqual({
        name: { from: 'Old', to: 'New' },
        'settings.public': { from: false, to: true },
      });
    });

    it('keeps given changes instead of computing them', () => {
      const { row } = factory.audit({ action: 'a', beforeData: { x: 1 }, afterData: { x: 2 }, changes: { custom: true } });

      expect(row.changes).toEqual({ custom: true });
    });

    it('leaves changes null without both states', () => {
      expect(factory.audit({ action: 'a', afterData: { x: 1 } }).row.changes).toBeNull();
    });

    it('redacts secrets in metadata, beforeData, afterData and the computed changes', () => {
      const { row } = factory.audit({
        action: 'user.update',
        metadata: { apiKey: 'k-123', reason: 'rotation' },
        beforeData: { email: 'a@x', password: 'old-secret' },
        afterData: { email: 'b@x', password: 'new-secret' },
      });

      expect(row.metadata).toEqual({ apiKey: REDACTED, reason: 'rotation' });
      expect(row.before_data).toEqual({ email: 'a@x', password: REDACTED });
      expect(row.after_data).toEqual({ email: 'b@x', password: REDACTED });
      expect(row.changes).toEqual({ email: { from: 'a@x', to: 'b@x' } });
      expect(JSON.stringify(row)).not.toMatch(/k-123|old-secret|new-secret/);
    });

    it('redacts user-configured keys too', () => {
      const custom = factoryWith({ redactKeys: ['ssn_last4'] });

      expect(custom.audit({ action: 'a', metadata: { ssnLast4: '1234', password: 'p' } }).row.metadata).toEqual({
        ssnLast4: REDACTED,
        password: REDACTED,
      });
    });

    it('stores stack traces only when captureStackTraces is on', () => {
      expect(factory.audit({ action: 'a', stackTrace: 'at x' }).row.stack_trace).toBeNull();
      expect(factoryWith({ captureStackTraces: true }).audit({ action: 'a', stackTrace: 'at x' }).row.stack_trace).toBe('at x');
    });
  });

  describe('context stamping', () => {
    it('cuts request ids to 128 characters and drops a trace id that is not 32 hex characters', () => {
      const row = runWithAnalyticsContext({ requestId: 'r'.repeat(300), traceId: 'not-a-trace' }, () => factory.event('x.y', {}).row);
      expect((row.request_id as string).length).toBe(128);
      expect(row.trace_id).toBeNull();
    });

    it('stamps audit rows with the current context', () => {
      const { row } = runWithAnalyticsContext(
        {
          requestId: 'req-1',
          userId: 'user-1',
          userEmail: 'u@example.com',
          tenantId: 'tenant-1',
          sessionId: 'sess-1',
          correlationId: 'corr-1',
          ipAddress: '10.0.0.1',
          userAgent: 'jest',
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        },
        () => factory.audit({ action: 'a' }),
      );

      expect(row).toMatchObject({
        request_id: 'req-1',
        user_id: 'user-1',
        user_email: 'u@example.com',
        tenant_id: 'tenant-1',
        session_id: 'sess-1',
        correlation_id: 'corr-1',
        source_ip: '10.0.0.1',
        user_agent: 'jest',
        source_system: 'api',
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      });
    });

    it('lets explicit fields win over the context', () => {
      const { row } = runWithAnalyticsContext({ requestId: 'req-1', userId: 'ctx-user' }, () =>
        factory.audit({ action: 'a', userId: 42, sourceSystem: 'cli' }),
      );

      expect(row).toMatchObject({ user_id: '42', request_id: 'req-1', source_system: 'cli' });
    });

    it('uses the sourceSystem of the context, and "system" outside any context', () => {
      expect(runWithAnalyticsContext({ sourceSystem: 'worker' }, () => factory.audit({ action: 'a' })).row.source_system).toBe('worker');
      expect(factory.audit({ action: 'a' }).row).toMatchObject({ source_system: 'system', request_id: null, user_id: null });
    });

    it('inherits the outer context in nested calls', () => {
      const { row } = runWithAnalyticsContext({ requestId: 'outer', userId: 'u1' }, () =>
        runWithAnalyticsContext({ userId: 'u2' }, () => factory.event('thing.happened', {})),
      );

      expect(row).toMatchObject({ request_id: 'outer', user_id: 'u2' });
    });

    it('stamps auth, external call and event rows with the request id', () => {
      const rows = runWithAnalyticsContext({ requestId: 'req-9', userId: 'user-9' }, () => [
        factory.auth({ eventType: 'login', success: true }).row,
        factory.externalCall({ service: 'gemini' }).row,
        factory.event('e', {}).row,
      ]);

      for (const row of rows) expect(row).toMatchObject({ request_id: 'req-9', user_id: 'user-9' });
    });

    it('keeps the context across an await', async () => {
      const row = await runWithAnalyticsContext({ requestId: 'async-req' }, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return factory.audit({ action: 'a' }).row;
      });

      expect(row.request_id).toBe('async-req');
    });
  });

  describe('ids and timestamps', () => {
    it('gives every row a UUID v7', () => {
      const rows = [
        factory.audit({ action: 'a' }).row,
        factory.auth({ eventType: 'login', success: true }).row,
        factory.externalCall({ service: 's' }).row,
        factory.event('e', {}).row,
      ];

      for (const row of rows) {
        expect(row.id).toMatch(UUID_V7);
        expect(row.id[14]).toBe('7');
      }
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    });

    it('makes ids that increase over time, also within one millisecond', () => {
      // Ahead of the real clock: a v7 generator never goes back to an earlier millisecond.
      const start = Date.now() + 86_400_000;
      jest.useFakeTimers({ now: start });
      try {
        const ids: string[] = [];
        for (let i = 0; i < 50; i++) ids.push(factory.event('e', {}).row.id);
        jest.advanceTimersByTime(5);
        for (let i = 0; i < 50; i++) ids.push(factory.event('e', {}).row.id);

        expect([...ids].sort()).toEqual(ids);
        expect(new Set(ids).size).toBe(ids.length);
        // The first 48 bits are the creation time in milliseconds.
        const millis = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
        expect(millis(ids[0])).toBe(start);
        expect(millis(ids[99]) - millis(ids[0])).toBe(5);
      } finally {
        jest.useRealTimers();
      }
    });

    it('sets created_at from occurredAt', () => {
      const occurredAt = new Date('2023-03-04T05:06:07.089Z');

      expect(factory.audit({ action: 'a', occurredAt }).row.created_at).toBe('2023-03-04T05:06:07.089Z');
      expect(factory.externalCall({ service: 's', occurredAt }).row.created_at).toBe('2023-03-04T05:06:07.089Z');
      expect(factory.event('e', {}, { occurredAt }).row).toMatchObject({
        created_at: '2023-03-04T05:06:07.089Z',
        occurred_at: '2023-03-04T05:06:07.089Z',
      });
    });

    it('sets created_at to now without occurredAt', () => {
      jest.useFakeTimers({ now: new Date('2024-05-01T12:00:00.000Z') });
      try {
        expect(factory.audit({ action: 'a' }).row.created_at).toBe('2024-05-01T12:00:00.000Z');
      } finally {
        jest.useRealTimers();
      }
    });
  });

  describe('external call rows', () => {
    const priced = factoryWith({ pricing: { 'test-model': { input: 0.3, output: 2.5, cachedInput: 0.075 } } });

    it('estimates the cost from the price table', () => {
      const { row } = priced.externalCall({ service: 'gemini', model: 'test-model', inputTokens: 1_000_000, outputTokens: 0 });

      expect(row.cost_estimate).toBe('0.300000');
      expect(row).toMatchObject({ input_tokens: 1_000_000, output_tokens: 0, method: 'POST' });
    });

    it('leaves cost and tokens null when unknown, never 0', () => {
      const { row } = priced.externalCall({ service: 'gemini', model: 'unpriced-model', inputTokens: 10, outputTokens: 5 });
      const noUsage = priced.externalCall({ service: 'gemini', model: 'test-model' }).row;

      expect(row.cost_estimate).toBeNull();
      expect(noUsage).toMatchObject({ cost_estimate: null, input_tokens: null, output_tokens: null });
    });

    it('stores counts above the integer columns\' range as their maximum, and an estimate numeric(12,6) cannot hold as unknown', () => {
      const { row } = priced.externalCall({ service: 'gemini', model: 'test-model', inputTokens: 3e12, outputTokens: 3e12, responseSizeBytes: 1e12 });
      expect(row).toMatchObject({ input_tokens: 2_147_483_647, output_tokens: 2_147_483_647, response_size_bytes: 2_147_483_647, cost_estimate: null });
    });

    it('rounds a given cost to six places', () => {
      expect(priced.externalCall({ service: 's', costEstimate: 0.1 + 0.2 }).row.cost_estimate).toBe('0.300000');
    });

    it('redacts secrets in metadata', () => {
      expect(factory.externalCall({ service: 's', metadata: { authorization: 'Bearer x', region: 'eu' } }).row.metadata).toEqual({
        authorization: REDACTED,
        region: 'eu',
      });
    });
  });

  describe('event rows', () => {
    it('defaults value to 1 and source to backend, and redacts properties', () => {
      const { table, row } = factory.event('host_request.sent', { token: 't', plan: 'pro' }, { dedupKey: 'first-exposure' });

      expect(table).toBe('event_logs');
      expect(row).toMatchObject({
        event_type: 'host_request.sent',
        value: 1,
        source: 'backend',
        dedup_key: 'first-exposure',
        properties: { token: REDACTED, plan: 'pro' },
      });
    });
  });
});

describe('querySizeBound', () => {
  // A one-letter redact key makes the shortest redacted pair (`k&` becomes `"k":"[REDACTED]",`).
  const sanitizer = new RecordSanitizer(['k', ...DEFAULT_REDACT_KEYS]);
  const queries = [
    '',
    'a',
    'k&k&k&k',
    'k=1&k=2&ssn=&cvv',
    '&&&&a=&&b',
    '%01%02%03%22%5C'.repeat(50),
    `x=${'"\\'.repeat(200)}`,
    Array.from({ length: 150 }, (_, i) => `k${i}=${i}`).join('&'),
    Array.from({ length: 150 }, () => 'k').join('&'),
    `q=${'%F0%9F%98%80'.repeat(300)}&token=abc`,
    `next=${encodeURIComponent('https://x.test/?key=AIzaSyA-1234567890abcdefghijklmnopqrstu&a=1')}`,
    // Secrets inside a value made longer by their redaction: a one-letter URL password, a short header pair.
    `v=${encodeURIComponent('a://u:p@h '.repeat(300))}`,
    `v=${encodeURIComponent('Token: x\n'.repeat(300))}`,
    'abcdefghijklmnopqrs'.split('').map((k) => `${k}=${';sig=x'.repeat(134)}`).join('&'),
    'abcdefghijklmnopqrs'.split('').map((k) => `${k}=${'k=x '.repeat(200)}`).join('&'),
  ];

  it.each(queries.map((q) => [q.slice(0, 40), q]))('bounds the JSON of %j', (_label, query) => {
    // A bound of 0 skips the size check: the JSON as it would be stored uncut.
    const json = JSON.stringify(sanitizer.json(parseQuery(query), 0));
    expect(json.length).toBeLessThanOrEqual(querySizeBound(query));
  });
});

describe('SecretKeys', () => {
  it('gives the same answer when it remembers a key, and forgets past its bound', () => {
    const keys = new SecretKeys(DEFAULT_REDACT_KEYS);
    for (let round = 0; round < 2; round++) {
      expect(keys.isSecret('accessToken')).toBe(true);
      expect(keys.isSecret('tokenCount')).toBe(false);
      expect(keys.isSecret('user[password]')).toBe(true);
    }
    for (let i = 0; i < 2500; i++) expect(keys.isSecret(`field${i}`)).toBe(false);
    expect(keys.isSecret('x'.repeat(100) + 'password')).toBe(true);
    expect((keys as unknown as { known: Map<string, boolean> }).known.size).toBeLessThanOrEqual(1000);
  });
});

describe('parseQuery', () => {
  it('keeps parameters named like Object.prototype members as plain parameters', () => {
    const parsed = parseQuery('constructor=1&__proto__=x&toString=2&a=1&a=2');
    expect(JSON.stringify(parsed)).toBe('{"constructor":"1","__proto__":"x","toString":"2","a":["1","2"]}');
    const stored = new RecordSanitizer(DEFAULT_REDACT_KEYS).json(parsed);
    expect(JSON.stringify(stored)).toBe('{"constructor":"1","__proto__":"x","toString":"2","a":["1","2"]}');
  });
});
