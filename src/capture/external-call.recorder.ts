import { Injectable, Logger } from '@nestjs/common';
import { AnalyticsCounters } from '../pipeline/analytics-counters';
import { RecordSink } from '../pipeline/record-sink';
import { describeValue } from '../analytics.messages';
import { ThrottledLogger } from '../pipeline/throttled-logger';
import type { TokenUsage } from '../records/cost-calculator';
import { COLUMN_BOUNDS } from '../records/record-limits';
import { RecordFactory } from '../records/record.factory';
import type { ExternalCallInput } from '../records/record.types';
import { extractModel, extractUsage, usableCount } from '../records/usage-extractor';
import type { TrackExternalMetadata, TrackExternalOptions } from './analytics.metadata';
import { observeCall, statusCodeOf } from './observe-call';
import { payloadSize } from './payload-size';

/**
 * Runs one `@TrackExternal()` call and records latency, status, sizes, tokens and cost.
 * Recording never throws into the caller; the call's own error is rethrown unchanged.
 */
@Injectable()
export class ExternalCallRecorder {
  private readonly throttled = new ThrottledLogger(new Logger('TrackExternal'));

  constructor(
    private readonly factory: RecordFactory,
    private readonly sink: RecordSink,
    private readonly counters: AnalyticsCounters,
  ) {}

  run<T>(meta: TrackExternalMetadata, args: unknown[], invoke: () => T): T {
    const startedAt = performance.now();
    return observeCall(
      invoke,
      (result, subscribedAt = startedAt) => this.record(meta, args, performance.now() - subscribedAt, result),
      (error, subscribedAt = startedAt) => this.record(meta, args, performance.now() - subscribedAt, undefined, error),
    );
  }

  private record(meta: TrackExternalMetadata, args: unknown[], elapsedMs: number, result: unknown, error?: unknown): void {
    try {
      const { service, options } = meta;
      const failed = error !== undefined;
      const usage = failed ? undefined : this.usageOf(options, result);
      const firstArg = args[0] as { model?: unknown } | undefined;
      const model =
        (typeof options.model === 'string' ? options.model : undefined) ??
        (failed ? undefined : extractModel(result)) ??
        (typeof firstArg?.model === 'string' ? firstArg.model : undefined);
      const cost = !failed && options.cost ? this.costOf(options.cost, usage, result) : undefined;
      const metadata =
        typeof options.metadata === 'function' ? this.callback('metadata', () => (options.metadata as MetadataOf)({ args, result })) : options.metadata;
      const call: ExternalCallInput = {
        service,
        endpoint: options.endpoint,
        method: options.method ?? 'POST',
        statusCode: failed ? (statusCodeOf(error) ?? undefined) : (statusCodeOf(result) ?? 200),
        responseTimeMs: elapsedMs,
        model,
        ...usage,
        costEstimate: cost,
        requestSizeBytes: payloadSize(args.length === 1 ? args[0] : args),
        responseSizeBytes: failed ? undefined : payloadSize(result),
        errorMessage: failed ? this.factory.sanitizer.errorMessage(error) : undefined,
        metadata: isPlainObject(metadata) ? metadata : undefined,
      };
      this.sink.add(this.factory.externalCall(call));
    } catch (err) {
      this.failed(err);
    }
  }

  /**
   * The `usage` callback's counts, each kept only when it is a number of 0 or more; read from
   * the response instead when there is no callback, or it throws or returns nothing.
   */
  private usageOf(options: TrackExternalOptions, result: unknown): TokenUsage | undefined {
    const given = options.usage ? this.callback('usage', () => options.usage!(result)) : undefined;
    if (given === undefined || given === null) return extractUsage(result);
    if (typeof given !== 'object') return this.invalid('usage', given);
    const usage: TokenUsage = {};
    for (const field of USAGE_FIELDS) {
      const value = (given as Record<string, unknown>)[field];
      if (value === undefined || value === null) continue;
      usage[field] = usableCount(value) ?? this.invalid(`usage().${field}`, value);
    }
    return usage;
  }

  /** The `cost` callback's result when it is a price a column holds; otherwise the price table's estimate is used. */
  private costOf(cost: NonNullable<TrackExternalOptions['cost']>, usage: TokenUsage | undefined, result: unknown): number | undefined {
    const value = this.callback('cost', () => cost(usage, result));
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && value >= 0 && value < COLUMN_BOUNDS.costUsdBelow) return value;
    return this.invalid('cost()', value);
  }

  /** A user callback's value, or `undefined` when it throws: the row is still written, without that value. */
  private callback<T>(name: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.failed(new Error(`the ${name} callback threw: ${this.factory.sanitizer.errorMessage(err)}`));
      return undefined;
    }
  }

  private invalid(what: string, value: unknown): undefined {
    this.failed(new Error(`${what} returned ${describeValue(value)}, not a number of 0 or more; stored as unknown`));
    return undefined;
  }

  private failed(err: unknown): void {
    this.counters.captureErrors++;
    this.throttled.error('external', `@TrackExternal could not record a call: ${this.factory.sanitizer.logMessage(err)}`);
  }
}

type MetadataOf = (call: { args: unknown[]; result?: unknown }) => unknown;

const USAGE_FIELDS = ['inputTokens', 'outputTokens', 'cachedInputTokens', 'reasoningTokens'] as const;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
