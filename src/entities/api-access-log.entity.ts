import { Column, Entity, Index } from 'typeorm';
import { AnalyticsRecordBase } from './analytics-record.base';

/** One row per HTTP request served. */
@Entity({ name: 'api_access_logs' })
@Index('idx_api_access_logs_user_created', ['userId', 'createdAt'])
@Index('idx_api_access_logs_endpoint_created', ['endpoint', 'createdAt'])
@Index('idx_api_access_logs_status_created', ['statusCode', 'createdAt'])
@Index('idx_api_access_logs_created', ['createdAt'])
export class ApiAccessLog extends AnalyticsRecordBase {
  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true }) requestId: string | null;
  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true }) userId: string | null;
  @Column({ name: 'session_id', type: 'varchar', length: 255, nullable: true }) sessionId: string | null;
  @Column({ type: 'varchar', length: 16 }) method: string;
  /** Path without the query string. */
  @Column({ type: 'text' }) endpoint: string;
  /** Route template such as `/items/:id`; null for unmatched routes. */
  @Column({ type: 'text', nullable: true }) route: string | null;
  /** `Controller.method` */
  @Column({ type: 'varchar', length: 255, nullable: true }) handler: string | null;
  @Column({ name: 'status_code', type: 'smallint' }) statusCode: number;
  @Column({ name: 'response_time_ms', type: 'double precision' }) responseTimeMs: number;
  @Column({ name: 'ip_address', type: 'varchar', length: 100, nullable: true }) ipAddress: string | null;
  @Column({ name: 'user_agent', type: 'text', nullable: true }) userAgent: string | null;
  @Column({ name: 'request_size_bytes', type: 'integer', nullable: true }) requestSizeBytes: number | null;
  @Column({ name: 'response_size_bytes', type: 'integer', nullable: true }) responseSizeBytes: number | null;
  /** Redacted query parameters. */
  @Column({ name: 'query_params', type: 'jsonb', nullable: true }) queryParams: Record<string, unknown> | null;
  @Column({ name: 'error_message', type: 'text', nullable: true }) errorMessage: string | null;
}
