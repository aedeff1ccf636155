import { Injectable, Logger } from '@nestjs/common';
import { AnalyticsCounters } from '../pipeline/analytics-counters';
import { RecordSink } from '../pipeline/record-sink';
import { ThrottledLogger } from '../pipeline/throttled-logger';
import type { TokenUsage } from '../records/cost-calculator';
import { RecordFactory } from '../records/record.factory';
import type { ExternalCallInput } from '../records/record.types';
import { extractModel, extractUsage } from '../records/usage-extractor';
import type { TrackExternalMetadata } from './analytics.metadata';
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
      (result) => this.record(meta, args, performance.now() - startedAt, result),
      (error) => this.record(meta, args, performance.now() - startedAt, undefined, error),
    );
  }

  private record(meta: TrackExternalMetadata, args: unknown[], elapsedMs: number, result: unknown, error?: unknown): void {
    try {
      const { service, options } = meta;
      const failed = error !== undefined;
      const usage: TokenUsage | undefined = failed ? undefined : options.usage ? options.usage(result) : extractUsage(result);
      const firstArg = args[0] as { model?: unknown } | undefined;
      const model =
        options.model ??
        (failed ? undefined : extractModel(result)) ??
        (typeof firstArg?.model === 'string' ? firstArg.model : undefined);
      const cost = !failed && options.cost ? options.cost(usage, result) : undefined;
      const metadata = typeof options.metadata === 'function' ? options.metadata({ args, result }) : options.metadata;
      const call: ExternalCallInput = {
        service,
        endpoint: options.endpoint,
        method: options.method ?? 'POST',
        statusCode: failed ? (statusCodeOf(error) ?? undefined) : (statusCodeOf(result) ?? 200),
        responseTimeMs: elapsedMs,
        model,
        ...usage,
        costEstimate: cost ?? undefined,
        requestSizeBytes: payloadSize(args.length === 1 ? args[0] : args),
        responseSizeBytes: failed ? undefined : payloadSize(result),
        errorMessage: failed ? this.factory.sanitizer.errorMessage(error) : undefined,
        metadata,
      };
      this.sink.add(this.factory.externalCall(call));
    } catch (err) {
      this.counters.captureErrors++;
      this.throttled.error('external', `@TrackExternal could not record a call: ${this.factory.sanitizer.errorMessage(err)}`);
    }
  }
}
