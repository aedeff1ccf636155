import { Inject, Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ANALYTICS_MODULE_OPTIONS } from './analytics.constants';
import { AnalyticsConfigurationError, AnalyticsValidationError } from './analytics.errors';
import { messages } from './analytics.messages';
import type { ResolvedAnalyticsOptions } from './options/analytics-options.schema';
import { AnalyticsCounters, AnalyticsStats } from './pipeline/analytics-counters';
import { QueueCounts, RecordSink } from './pipeline/record-sink';
import { ThrottledLogger } from './pipeline/throttled-logger';
import { hmacSha256Hex } from './records/identifier-hasher';
import { RecordFactory } from './records/record.factory';
import type {
  AuditEntryInput,
  AuthEventInput,
  BufferedRecord,
  ExternalCallInput,
  TrackEventExtra,
} from './records/record.types';
import { requireString } from './records/record-validation';

/** Options of `AuditService.flush()`. */
export interface FlushOptions {
  /** Also wait until the batches are written to PostgreSQL. @default false */
  waitForPersistence?: boolean;
  /** Give up waiting after this long (never throws). @default 30000 */
  timeoutMs?: number;
}

/**
 * Records audit entries, authentication events, external API calls and product events.
 * Injectable anywhere once `AnalyticsModule` is imported (it is global).
 *
 * Every method returns the new record's id (UUID v7) at once and never waits for the
 * database; persistence trouble never throws. Invalid arguments throw
 * `AnalyticsValidationError`.
 *
 * @example
 * constructor(private readonly audit: AuditService) {}
 * this.audit.logUserAction(user.id, 'project.rename', `Renamed to ${name}`, { resourceType: 'project', resourceId: id });
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('AuditService');
  private readonly throttled = new ThrottledLogger(this.logger);

  constructor(
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: ResolvedAnalyticsOptions,
    private readonly factory: RecordFactory,
    private readonly sink: RecordSink,
    private readonly counters: AnalyticsCounters,
  ) {}

  /**
   * Records one audit entry.
   *
   * @example audit.log({ action: 'invoice.approve', resourceType: 'invoice', resourceId: id, isComplianceRelevant: true })
   */
  log(entry: AuditEntryInput): string {
    return this.record(() => this.factory.audit(entry));
  }

  /** An action a user took. */
  logUserAction(userId: string, action: string, message: string, extra?: Partial<AuditEntryInput>): string {
    return this.record(() => this.factory.audit({ ...extra, userId: requireString('userId', userId), action, message }));
  }

  /** A step of a workflow or batch operation, grouped by `operationId`. */
  logWorkflowAction(operationId: string, action: string, message: string, extra?: Partial<AuditEntryInput>): string {
    return this.record(() =>
      this.factory.audit({ ...extra, operationId: requireString('operationId', operationId), action, message }),
    );
  }

  /** Something the system did on its own (`source_system = 'system'` unless given). */
  logSystemEvent(action: string, message: string, extra?: Partial<AuditEntryInput>): string {
    return this.record(() => this.factory.audit({ sourceSystem: 'system', ...extra, action, message }));
  }

  /**
   * A sign-up, login, logout, failed login, token refresh or password reset. Not batched:
   * sent to the queue at once in its own job.
   *
   * @example audit.logAuthEvent({ eventType: AuthEventType.LOGIN_FAILED, success: false, errorMessage: 'bad password' })
   */
  logAuthEvent(event: AuthEventInput): string {
    return this.record(() => this.factory.auth(event), true);
  }

  /**
   * A call to an outside API. Unknown tokens or cost stay `NULL`; the cost is computed
   * from the price table when the model and tokens are known and no cost is given.
   */
  logExternalApiCall(call: ExternalCallInput): string {
    return this.record(() => this.factory.externalCall(call));
  }

  /**
   * A product event. With `dedupKey` it is log-once: a later event with the same key is
   * dropped by the database.
   *
   * @example audit.trackEvent('experiment.exposed', { variant: 'b' }, { userId, dedupKey: `exp-42:${userId}` })
   */
  trackEvent(eventType: string, properties?: object, extra?: TrackEventExtra): string {
    return this.record(() => this.factory.event(eventType, properties, extra));
  }

  /**
   * HMAC-SHA256 of an identifier (e-mail, phone) with `hashKey`, as 64 hex characters:
   * what `trackEvent(…, { subjectHash })` accepts instead of raw PII.
   *
   * @throws AnalyticsConfigurationError when no `hashKey` is configured.
   */
  hashIdentifier(value: string): string {
    if (!this.options.hashKey) throw new AnalyticsConfigurationError(messages.missingHashKey());
    return hmacSha256Hex(this.options.hashKey, requireString('value', value));
  }

  /**
   * Hands everything buffered to the queue now; with `waitForPersistence`, also waits
   * until it is written (up to `timeoutMs`). Never rejects.
   */
  async flush(options: FlushOptions = {}): Promise<void> {
    if (!this.options.enabled) return;
    await this.sink.flush(options);
  }

  /** Counters of buffered, sent, persisted, dropped and failed records in this process. */
  stats(): AnalyticsStats {
    return this.sink.stats();
  }

  /**
   * Puts every batch that exhausted its attempts back in the queue. @returns how many.
   * Rejects at once when Redis is not reachable.
   */
  retryFailedBatches(): Promise<number> {
    return this.sink.retryFailed();
  }

  /**
   * How many batches the queue holds in each state, across every process that uses it:
   * `waiting` and `delayed` (retries waiting for PostgreSQL) growing means the workers are
   * not keeping up or cannot write; `failed`, batches kept for `retryFailedBatches()`.
   * Rejects at once when Redis is not reachable.
   */
  queueCounts(): Promise<QueueCounts> {
    return this.sink.queueCounts();
  }

  private record(build: () => BufferedRecord, urgent = false): string {
    let record: BufferedRecord;
    try {
      record = build();
    } catch (err) {
      if (err instanceof AnalyticsValidationError) throw err;
      this.counters.captureErrors++;
      this.throttled.error('build', `Could not build an analytics record: ${(err as Error).message}`);
      return uuidv7();
    }
    if (!this.options.enabled) {
      this.counters.skipped++;
      return record.row.id;
    }
    if (urgent) this.sink.addUrgent(record);
    else this.sink.add(record);
    return record.row.id;
  }
}
