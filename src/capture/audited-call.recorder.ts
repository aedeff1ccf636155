import { Injectable, Logger } from '@nestjs/common';
import { from, isObservable, mergeMap, of } from 'rxjs';
import { AnalyticsCounters } from '../pipeline/analytics-counters';
import { RecordSink } from '../pipeline/record-sink';
import { ThrottledLogger } from '../pipeline/throttled-logger';
import { AuditSeverity } from '../records/audit.enums';
import { diffStates } from '../records/diff';
import { RecordFactory } from '../records/record.factory';
import type { AuditEntryInput } from '../records/record.types';
import type { AuditedOptions } from './analytics.metadata';
import { errorCodeOf, isThenable, observeCall } from './observe-call';

/** The method being audited, for the default action name. */
export interface CallSite {
  className: string;
  methodName: string;
}

/**
 * Runs one `@Audited()` call and records its outcome. Shared by the interceptor
 * (controllers) and the explorer (providers). Recording never throws into the caller.
 */
@Injectable()
export class AuditedCallRecorder {
  private readonly throttled = new ThrottledLogger(new Logger('Audited'));

  constructor(
    private readonly factory: RecordFactory,
    private readonly sink: RecordSink,
    private readonly counters: AnalyticsCounters,
  ) {}

  /**
   * @param returnsObservable the method is declared to return an Observable: with an
   *   async `before`, the call then stays an Observable instead of becoming a Promise.
   */
  run<T>(
    options: AuditedOptions,
    site: CallSite,
    args: unknown[],
    invoke: () => T,
    instance?: unknown,
    returnsObservable = false,
  ): T {
    const startedAt = performance.now();
    const before = options.before ? this.safely(() => options.before!({ args, instance }), undefined) : undefined;
    if (isThenable(before)) {
      // An async `before` must finish before the call, so the call waits for it.
      const pending = Promise.resolve(before).then(
        (state) => this.snapshot(state),
        (err) => this.failed(err),
      );
      const result = pending.then((state) => this.invoke(options, site, args, invoke, startedAt, state, instance));
      return (returnsObservable ? from(result).pipe(mergeMap((r) => (isObservable(r) ? r : of(r)))) : result) as T;
    }
    return this.invoke(options, site, args, invoke, startedAt, this.snapshot(before), instance);
  }


  private invoke<T>(
    options: AuditedOptions,
    site: CallSite,
    args: unknown[],
    invoke: () => T,
    startedAt: number,
    before: unknown,
    instance: unknown,
  ): T {
    return observeCall(
      invoke,
      (result, subscribedAt = startedAt) => this.succeeded(options, site, args, result, before, performance.now() - subscribedAt, instance),
      (error, subscribedAt = startedAt) => this.record(options, site, args, undefined, before, undefined, performance.now() - subscribedAt, error, instance),
    );
  }

  private succeeded(
    options: AuditedOptions,
    site: CallSite,
    args: unknown[],
    result: unknown,
    before: unknown,
    durationMs: number,
    instance: unknown,
  ) {
    const after = options.after ? this.safely(() => options.after!({ args, result, instance }), undefined) : undefined;
    if (isThenable(after)) {
      Promise.resolve(after).then(
        (state) => this.record(options, site, args, result, before, state, durationMs, undefined, instance),
        (err) => {
          // The call succeeded: record it even though its after-state could not be read.
          this.failed(err);
          this.record(options, site, args, result, before, undefined, durationMs, undefined, instance);
        },
      );
      return;
    }
    this.record(options, site, args, result, before, after, durationMs, undefined, instance);
  }

  private record(
    options: AuditedOptions,
    site: CallSite,
    args: unknown[],
    result: unknown,
    before: unknown,
    after: unknown,
    durationMs: number,
    error?: unknown,
    instance?: unknown,
  ): void {
    try {
      const failed = error !== undefined;
      if (!failed && options.skipUnchanged && options.before && options.after && Object.keys(diffStates(before, after)).length === 0) {
        this.counters.skipped++;
        return;
      }
      const call = { args, result, instance };
      const metadata: Record<string, unknown> = { ...options.metadata };
      if (options.captureArgs) metadata.args = args;
      if (options.captureResult && !failed) metadata.result = result;
      const entry: AuditEntryInput = {
        action: options.action ?? `${site.className}.${site.methodName}`,
        message: typeof options.message === 'function' ? this.safely(() => (options.message as any)(call), undefined) : options.message,
        status: failed ? 'failure' : 'success',
        severity: failed ? AuditSeverity.ERROR : (options.severity ?? AuditSeverity.INFO),
        resourceType: options.resourceType,
        resourceId: typeof options.resourceId === 'function' ? this.safely(() => (options.resourceId as any)(call), undefined) : options.resourceId,
        category: options.category,
        tags: options.tags,
        beforeData: options.before ? before : undefined,
        afterData: options.after && !failed ? after : undefined,
        metadata: Object.keys(metadata).length ? metadata : undefined,
        retentionPolicy: options.retentionPolicy,
        isSensitive: options.isSensitive,
        isComplianceRelevant: options.isComplianceRelevant,
        durationMs,
        errorCode: failed ? errorCodeOf(error) : undefined,
        errorMessage: failed ? this.factory.sanitizer.errorMessage(error) : undefined,
        stackTrace: failed && error instanceof Error ? error.stack : undefined,
      };
      this.sink.add(this.factory.audit(entry));
    } catch (err) {
      this.failed(err);
    }
  }

  /** Copies the before-state now (redacted), so a method that mutates it in place still shows a diff. */
  private snapshot(state: unknown): unknown {
    return state === undefined ? undefined : this.safely(() => this.factory.sanitizer.json(state), undefined);
  }

  private safely<T>(fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (err) {
      this.failed(err);
      return fallback;
    }
  }

  private failed(err: unknown): undefined {
    this.counters.captureErrors++;
    this.throttled.error('audited', `@Audited could not record a call: ${this.factory.sanitizer.logMessage(err)}`);
    return undefined;
  }
}
