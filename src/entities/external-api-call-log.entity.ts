import { Column, Entity, Index } from 'typeorm';
import { AnalyticsRecordBase } from './analytics-record.base';

/** One row per call to an outside API, with tokens and estimated cost for LLMs. */
@Entity({ name: 'external_api_call_logs' })
@Index('idx_external_api_call_logs_user_service_created', ['userId', 'service', 'createdAt'])
@Index('idx_external_api_call_logs_service_created', ['service', 'createdAt'])
@Index('idx_external_api_call_logs_created', ['createdAt'])
export class ExternalApiCallLog extends AnalyticsRecordBase {
  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true }) requestId: string | null;
  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true }) userId: string | null;
  @Column({ type: 'varchar', length: 100 }) service: string;
  @Column({ type: 'text', nullable: true }) endpoint: string | null;
  @Column({ type: 'varchar', length: 16 }) method: string;
  @Column({ name: 'status_code', type: 'smallint', nullable: true }) statusCode: number | null;
  @Column({ name: 'response_time_ms', type: 'double precision', nullable: true }) responseTimeMs: number | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) model: string | null;
  @Column({ name: 'input_tokens', type: 'integer', nullable: true }) inputTokens: number | null;
  @Column({ name: 'output_tokens', type: 'integer', nullable: true }) outputTokens: number | null;
  @Column({ name: 'cached_input_tokens', type: 'integer', nullable: true }) cachedInputTokens: number | null;
  @Column({ name: 'reasoning_tokens', type: 'integer', nullable: true }) reasoningTokens: number | null;
  /** US dollars; `NULL` when the price or usage is unknown. Returned by pg as a string. */
  @Column({ name: 'cost_estimate', type: 'numeric', precision: 12, scale: 6, nullable: true }) costEstimate: string | null;
  @Column({ name: 'request_size_bytes', type: 'integer', nullable: true }) requestSizeBytes: number | null;
  @Column({ name: 'response_size_bytes', type: 'integer', nullable: true }) responseSizeBytes: number | null;
  @Column({ name: 'error_message', type: 'text', nullable: true }) errorMessage: string | null;
  @Column({ type: 'jsonb', nullable: true }) metadata: Record<string, unknown> | null;
}
