/** The public API of nestjs-analytics. Everything else is internal. */
export { AnalyticsModule } from './analytics.module';
export { AuditService } from './audit.service';
export type { FlushOptions } from './audit.service';
export { AnalyticsConfigurationError, AnalyticsOptionsError, AnalyticsValidationError } from './analytics.errors';
export { ANALYTICS_DATA_SOURCE } from './analytics.constants';
export type {
  AnalyticsDatabaseOptions,
  AnalyticsFlushOptions,
  AnalyticsModuleAsyncOptions,
  AnalyticsModuleOptions,
  AnalyticsOptionsFactory,
  AnalyticsRedisClusterNode,
  AnalyticsRedisClusterOptions,
  AnalyticsRedisOptions,
  AnalyticsSamplingOptions,
  AnalyticsWorkerOptions,
  FlushStrategy,
  ModelPrice,
} from './options/analytics-module-options.interface';
export { AuditAction, AuditSeverity, AuthEventType } from './records/audit.enums';
export type { AuditStatus, SourceSystem } from './records/audit.enums';
export type { AuditEntryInput, AuthEventInput, ExternalCallInput, TrackEventExtra } from './records/record.types';
export type { AnalyticsStats } from './pipeline/analytics-counters';
export type { QueueCounts } from './pipeline/record-sink';
export { getAnalyticsContext, runWithAnalyticsContext } from './capture/request-context';
export type { AnalyticsContext } from './capture/request-context';
export {
  ApiAccessLog,
  AuditLog,
  AuthenticationLog,
  EventDedupKey,
  EventLog,
  ExternalApiCallLog,
} from './entities';
export { Audited } from './capture/audited.decorator';
export { TrackExternal } from './capture/track-external.decorator';
export type { AuditedCall, AuditedOptions, TrackExternalOptions } from './capture/analytics.metadata';
export type { TokenUsage } from './records/cost-calculator';
export { BUILT_IN_PRICES } from './records/price-table';
export type { DatedModelPrice } from './records/price-table';
export { AnalyticsTestingModule } from './testing/analytics-testing.module';
export { AnalyticsTestingStore } from './testing/analytics-testing.store';
