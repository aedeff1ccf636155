import { Column, Entity, Index } from 'typeorm';
import { AnalyticsRecordBase } from './analytics-record.base';

/** Product events (`host_request.sent`), optionally log-once by `dedup_key`. */
@Entity({ name: 'event_logs' })
@Index('idx_event_logs_created', ['createdAt'])
@Index('idx_event_logs_type_created', ['eventType', 'createdAt'])
@Index('idx_event_logs_user_created', ['userId', 'createdAt'])
export class EventLog extends AnalyticsRecordBase {
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt: Date;
  @Column({ name: 'event_type', type: 'varchar', length: 255 }) eventType: string;
  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true }) userId: string | null;
  /** HMAC-SHA256 of a subject (from `hashIdentifier()`), never the raw identifier. */
  @Column({ name: 'subject_hash', type: 'char', length: 64, nullable: true }) subjectHash: string | null;
  @Column({ name: 'session_id', type: 'varchar', length: 255, nullable: true }) sessionId: string | null;
  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true }) requestId: string | null;
  @Column({ type: 'jsonb', nullable: true }) properties: Record<string, unknown> | null;
  @Column({ type: 'double precision', default: 1 }) value: number;
  /** backend or frontend */
  @Column({ type: 'varchar', length: 16, default: 'backend' }) source: string;
  /** Log-once key; uniqueness across all time is enforced by `event_dedup_keys`. */
  @Column({ name: 'dedup_key', type: 'varchar', length: 255, nullable: true }) dedupKey: string | null;
}
