import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ANALYTICS_MODULE_OPTIONS } from '../analytics.constants';
import { currentContext } from '../capture/request-context';
import type { RequestState } from '../capture/request-state';
import type { ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import { AUDIT_STATUSES, AuditSeverity, EVENT_SOURCES, SEVERITIES, SOURCE_SYSTEMS } from './audit.enums';
import { estimateCostUsd, roundUsd } from './cost-calculator';
import { isoTimestamp } from './iso-timestamp';
import { diffStates } from './diff';
import { resolvePrice } from './price-table';
import { COLUMN_BOUNDS, LIMITS } from './record-limits';
import { RecordSanitizer, text } from './record-sanitizer';
import type {
  AuditEntryInput,
  AuthEventInput,
  BufferedRecord,
  ExternalCallInput,
  RecordRow,
  TrackEventExtra,
} from './record.types';
import * as v from './record-validation';

/** `a=1&a=2&b=x` → `{ a: ['1', '2'], b: 'x' }`. */
export function parseQuery(query: string): Record<string, string | string[]> {
  // No prototype: `?constructor=1` and `?__proto__=x` are parameters like any other.
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(query)) {
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value); // not a copy per repeat: `?a=&a=&…` stays linear
    else out[key] = [prev, value];
  }
  return out;
}

/**
 * The most characters a query string's `query_params` JSON can take: decoding never
 * lengthens it; JSON escapes at most double it (`%01` → `\u0001`); a secret found inside a
 * value grows at most fourfold (`k=x`, with a one-letter redact key, becomes
 * `k=[REDACTED]`; `;sig=x` becomes `;sig=[REDACTED]`), and escapes never fall inside a
 * redaction, so five times its length is ample; each pair adds at most 6 (`"k":"",`) and a
 * redacted value at most 10 (`[REDACTED]`); a cut at 100 keys adds a marker.
 */
export function querySizeBound(query: string): number {
  let pairs = 1;
  for (let at = query.indexOf('&'); at !== -1; at = query.indexOf('&', at + 1)) pairs++;
  return 5 * query.length + 16 * pairs + 64;
}

/** Fields every table shares, stamped from the current context when the record is made. */
function base(occurredAt: Date | undefined): { id: string; created_at: string } {
  return { id: uuidv7(), created_at: isoTimestamp(occurredAt === undefined ? Date.now() : occurredAt.getTime()) };
}

/** Request ids are at most 128 characters (the `x-request-id` rule); longer ones from `runWithAnalyticsContext` are cut. */
const requestIdOf = (value: string | undefined): string | null => text(value, 128);

/** The columns of an `api_access_logs` row, in the order `RecordFactory.accessLogValues()` gives them. */
export const ACCESS_LOG_COLUMNS: readonly string[] = [
  'id',
  'created_at',
  'request_id',
  'user_id',
  'session_id',
  'method',
  'endpoint',
  'route',
  'handler',
  'status_code',
  'response_time_ms',
  'ip_address',
  'user_agent',
  'request_size_bytes',
  'response_size_bytes',
  'query_params',
  'error_message',
  'trace_id',
];

/** A W3C trace id is 32 hex characters; anything else is dropped rather than failing the batch. */
const traceIdOf = (value: string | undefined): string | null =>
  typeof value === 'string' && /^[0-9a-f]{32}$/i.test(value) ? value.toLowerCase() : null;

/** Integer token/byte count (validated as 0 or more), at most the `integer` columns' maximum (a larger one is stored as that), or null when unknown. */
const count = (value: number | undefined): number | null =>
  value === undefined || value === null ? null : Math.min(COLUMN_BOUNDS.integerMax, Math.max(0, Math.round(value)));

/**
 * Builds validated, redacted, truncated rows from what callers pass. All work that can
 * fail on bad input happens here, synchronously, before anything is buffered.
 */
@Injectable()
export class RecordFactory {
  readonly sanitizer: RecordSanitizer;

  constructor(@Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: ResolvedAnalyticsOptions) {
    this.sanitizer = new RecordSanitizer(options.redactKeys);
  }

  audit(entry: AuditEntryInput): BufferedRecord {
    v.requireObject('entry', entry);
    const ctx = currentContext();
    const action = v.requireString('action', entry.action);
    const status = v.optionalOneOf('status', entry.status, AUDIT_STATUSES) ?? 'success';
    const severity =
      v.optionalOneOf('severity', entry.severity, SEVERITIES) ??
      (status === 'failure' ? AuditSeverity.ERROR : AuditSeverity.INFO);
    const occurredAt = v.optionalDate('occurredAt', entry.occurredAt);
    const s = this.sanitizer;
    const before = entry.beforeData === undefined ? null : s.json(entry.beforeData);
    const after = entry.afterData === undefined ? null : s.json(entry.afterData);
    const changes =
      entry.changes !== undefined
        ? s.json(entry.changes)
        : entry.beforeData !== undefined && entry.afterData !== undefined
          ? s.json(diffStates(before, after))
          : null;
    const row: RecordRow = {
      ...base(occurredAt),
      action: text(action, LIMITS.identifier),
      severity,
      status,
      message: s.text(v.optionalString('message', entry.message), LIMITS.text),
      user_id: this.id(v.optionalId('userId', entry.userId) ?? ctx?.userId),
      user_email: text(v.optionalString('userEmail', entry.userEmail) ?? ctx?.userEmail, LIMITS.identifier),
      tenant_id: this.id(v.optionalString('tenantId', entry.tenantId) ?? ctx?.tenantId),
      session_id: this.id(v.optionalString('sessionId', entry.sessionId) ?? ctx?.sessionId),
      request_id: requestIdOf(v.optionalString('requestId', entry.requestId) ?? ctx?.requestId),
      correlation_id: this.id(v.optionalString('correlationId', entry.correlationId) ?? ctx?.correlationId),
      source_ip: text(v.optionalString('sourceIp', entry.sourceIp) ?? ctx?.ipAddress, LIMITS.short),
      user_agent: text(v.optionalString('userAgent', entry.userAgent) ?? ctx?.userAgent, LIMITS.userAgent),
      source_system:
        v.optionalOneOf('sourceSystem', entry.sourceSystem, SOURCE_SYSTEMS) ?? ctx?.sourceSystem ?? (ctx?.requestId ? 'api' : 'system'),
      area: text(v.optionalString('area', entry.area), LIMITS.short),
      resource_type: text(v.optionalString('resourceType', entry.resourceType), LIMITS.short),
      resource_id: this.id(v.optionalId('resourceId', entry.resourceId)),
      parent_resource_id: this.id(v.optionalId('parentResourceId', entry.parentResourceId)),
      operation_id: this.id(v.optionalString('operationId', entry.operationId)),
      before_data: before,
      after_data: after,
      changes,
      metadata: s.json(v.optionalObject('metadata', entry.metadata)),
      tags: v.optionalTags('tags', entry.tags)?.map((t) => text(t, LIMITS.short)) ?? null,
      category: text(v.optionalString('category', entry.category), LIMITS.short),
      error_code: text(v.optionalString('errorCode', entry.errorCode), LIMITS.short),
      error_message: s.text(v.optionalString('errorMessage', entry.errorMessage), LIMITS.text),
      stack_trace: this.options.captureStackTraces
        ? s.text(v.optionalString('stackTrace', entry.stackTrace), LIMITS.stackTrace)
        : null,
      duration_ms: v.optionalDuration('durationMs', entry.durationMs) ?? null,
      retention_policy: text(v.optionalString('retentionPolicy', entry.retentionPolicy), LIMITS.short),
      is_sensitive: v.optionalBoolean('isSensitive', entry.isSensitive) ?? false,
      is_compliance_relevant: v.optionalBoolean('isComplianceRelevant', entry.isComplianceRelevant) ?? false,
      trace_id: traceIdOf(ctx?.traceId),
    };
    return { table: 'audit_logs', row };
  }

  auth(event: AuthEventInput): BufferedRecord {
    v.requireObject('event', event);
    const ctx = currentContext();
    const eventType = v.requireString('eventType', event.eventType);
    const success = v.requireBoolean('success', event.success);
    return {
      table: 'authentication_logs',
      row: {
        ...base(undefined),
        request_id: requestIdOf(ctx?.requestId),
        user_id: this.id(v.optionalId('userId', event.userId) ?? ctx?.userId),
        event_type: text(eventType, LIMITS.short),
        success,
        ip_address: text(ctx?.ipAddress, LIMITS.short),
        user_agent: text(ctx?.userAgent, LIMITS.userAgent),
        error_message: this.sanitizer.text(v.optionalString('errorMessage', event.errorMessage), LIMITS.text),
        metadata: this.sanitizer.json(v.optionalObject('metadata', event.metadata)),
        trace_id: traceIdOf(ctx?.traceId),
      },
    };
  }

  externalCall(call: ExternalCallInput): BufferedRecord {
    v.requireObject('call', call);
    const ctx = currentContext();
    const service = v.requireString('service', call.service);
    const model = v.optionalString('model', call.model);
    const usage = {
      inputTokens: v.optionalCount('inputTokens', call.inputTokens),
      outputTokens: v.optionalCount('outputTokens', call.outputTokens),
      cachedInputTokens: v.optionalCount('cachedInputTokens', call.cachedInputTokens),
      reasoningTokens: v.optionalCount('reasoningTokens', call.reasoningTokens),
    };
    const givenCost = v.optionalCost('costEstimate', call.costEstimate);
    const estimated = givenCost !== undefined ? roundUsd(givenCost) : estimateCostUsd(resolvePrice(model, this.options.pricing), usage);
    // An estimate `numeric(12,6)` cannot hold (absurd token counts, a custom price) is unknown, not a failed batch.
    const cost = estimated !== null && Number(estimated) >= COLUMN_BOUNDS.costUsdBelow ? null : estimated;
    return {
      table: 'external_api_call_logs',
      row: {
        ...base(v.optionalDate('occurredAt', call.occurredAt)),
        request_id: requestIdOf(ctx?.requestId),
        user_id: this.id(v.optionalId('userId', call.userId) ?? ctx?.userId),
        service: text(service, LIMITS.short),
        endpoint: this.sanitizer.text(v.optionalString('endpoint', call.endpoint), LIMITS.endpoint),
        method: text(v.optionalString('method', call.method)?.toUpperCase() ?? 'POST', 16),
        status_code: v.optionalStatusCode('statusCode', call.statusCode) ?? null,
        response_time_ms: v.optionalDuration('responseTimeMs', call.responseTimeMs) ?? null,
        model: text(model, LIMITS.identifier),
        input_tokens: count(usage.inputTokens),
        output_tokens: count(usage.outputTokens),
        cached_input_tokens: count(usage.cachedInputTokens),
        reasoning_tokens: count(usage.reasoningTokens),
        cost_estimate: cost,
        request_size_bytes: count(v.optionalCount('requestSizeBytes', call.requestSizeBytes)),
        response_size_bytes: count(v.optionalCount('responseSizeBytes', call.responseSizeBytes)),
        error_message: this.sanitizer.text(v.optionalString('errorMessage', call.errorMessage), LIMITS.text),
        metadata: this.sanitizer.json(v.optionalObject('metadata', call.metadata)),
        trace_id: traceIdOf(ctx?.traceId),
      },
    };
  }

  event(eventType: string, properties: object | undefined, extra: TrackEventExtra = {}): BufferedRecord {
    const ctx = currentContext();
    const type = v.requireString('eventType', eventType);
    v.optionalObject('extra', extra);
    const occurredAt = v.optionalDate('extra.occurredAt', extra.occurredAt);
    const row = base(occurredAt);
    return {
      table: 'event_logs',
      row: {
        ...row,
        occurred_at: row.created_at,
        event_type: text(type, LIMITS.identifier),
        user_id: this.id(v.optionalId('extra.userId', extra.userId) ?? ctx?.userId),
        subject_hash: v.optionalSubjectHash('extra.subjectHash', extra.subjectHash) ?? null,
        session_id: this.id(ctx?.sessionId),
        request_id: requestIdOf(ctx?.requestId),
        properties: this.sanitizer.json(v.optionalObject('properties', properties)),
        value: v.optionalNumber('extra.value', extra.value) ?? 1,
        source: v.optionalOneOf('extra.source', extra.source, EVENT_SOURCES) ?? 'backend',
        dedup_key: text(v.optionalString('extra.dedupKey', extra.dedupKey), LIMITS.identifier),
        trace_id: traceIdOf(ctx?.traceId),
      },
    };
  }

  /** The `api_access_logs` row of a finished request (see `RequestState.finish()`). */
  accessLog(state: RequestState): BufferedRecord {
    const values = this.accessLogValues(state);
    const row: Record<string, unknown> = {};
    for (let i = 0; i < ACCESS_LOG_COLUMNS.length; i++) row[ACCESS_LOG_COLUMNS[i]] = values[i];
    return { table: 'api_access_logs', row: row as RecordRow };
  }

  /**
   * The same row as values in `ACCESS_LOG_COLUMNS` order: what `BatchEncoder` puts in a job,
   * without building the row object and reading its keys back.
   */
  accessLogValues(state: RequestState): unknown[] {
    return [
      uuidv7(),
      isoTimestamp(state.startedAtEpoch),
      requestIdOf(state.requestId),
      this.id(state.userId),
      this.id(state.sessionId),
      text(state.method, 16),
      this.sanitizer.text(state.path, LIMITS.endpoint),
      text(state.route, LIMITS.endpoint),
      text(state.handler, LIMITS.identifier),
      state.statusCode,
      Math.round(state.durationMs * 1000) / 1000,
      text(state.ipAddress, LIMITS.short),
      text(state.userAgent, LIMITS.userAgent),
      count(state.requestSize),
      count(state.responseSize),
      state.query ? this.sanitizer.json(parseQuery(state.query), querySizeBound(state.query)) : null,
      this.sanitizer.text(state.errorMessage, LIMITS.text),
      traceIdOf(state.traceId),
    ];
  }

  private id(value: string | undefined): string | null {
    return text(value, LIMITS.identifier);
  }
}
