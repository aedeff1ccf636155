import type { AuditSeverity } from '../records/audit.enums';
import type { TokenUsage } from '../records/cost-calculator';

export const AUDITED_METADATA = 'analytics:audited';
export const TRACK_EXTERNAL_METADATA = 'analytics:track-external';

/** What `@Audited()` callbacks receive. */
export interface AuditedCall<TArgs extends unknown[] = any[], TResult = any> {
  args: TArgs;
  result?: TResult;
  /**
   * The instance the method was called on: the provider, or the controller of a handler the
   * explorer wrapped; undefined where the handler-scoped interceptor records the call
   * (microservice-only message handlers).
   */
  instance?: any;
}

/** Options of `@Audited()`. Every field is optional. */
export interface AuditedOptions {
  /** @default `ClassName.methodName` */
  action?: string;
  message?: string | ((call: AuditedCall) => string);
  resourceType?: string;
  resourceId?: string | ((call: AuditedCall) => string | number | undefined);
  category?: string;
  /** On success. Failures are always `'error'`. @default 'info' */
  severity?: AuditSeverity | `${AuditSeverity}`;
  tags?: string[];
  /** State loaded before the call (may be async: the call then waits for it). */
  before?: (call: { args: any[]; instance?: any }) => unknown;
  /** State after the call (may be async: recording waits, the caller does not). */
  after?: (call: AuditedCall) => unknown;
  /** With `before` and `after`: record nothing when the diff is empty. @default false */
  skipUnchanged?: boolean;
  /** Store the (redacted) arguments in `metadata.args`. @default false */
  captureArgs?: boolean;
  /** Store the (redacted) result in `metadata.result`. @default false */
  captureResult?: boolean;
  isSensitive?: boolean;
  isComplianceRelevant?: boolean;
  retentionPolicy?: string;
  metadata?: Record<string, unknown>;
}

/** Options of `@TrackExternal()`. */
export interface TrackExternalOptions<TResult = any> {
  endpoint?: string;
  /** @default 'POST' */
  method?: string;
  /** @default read from the response (`modelVersion`, `model`) or the first argument's `model` */
  model?: string;
  /** Token usage; read automatically from Gemini, OpenAI and Anthropic responses when absent. */
  usage?: (result: TResult) => TokenUsage | undefined;
  /** Cost in US dollars; computed from the price table when absent. */
  cost?: (usage: TokenUsage | undefined, result: TResult) => number | undefined;
  metadata?: Record<string, unknown> | ((call: { args: any[]; result?: TResult }) => Record<string, unknown>);
}

export interface TrackExternalMetadata {
  service: string;
  options: TrackExternalOptions;
}
