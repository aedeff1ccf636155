import { Column, Entity, Index } from 'typeorm';
import { AnalyticsRecordBase } from './analytics-record.base';

/** Sign-ups, logins, logouts, failed logins, token refreshes and password resets. */
@Entity({ name: 'authentication_logs' })
@Index('idx_authentication_logs_user_created', ['userId', 'createdAt'])
@Index('idx_authentication_logs_event_created', ['eventType', 'createdAt'])
@Index('idx_authentication_logs_success_created', ['success', 'createdAt'])
@Index('idx_authentication_logs_ip_created', ['ipAddress', 'createdAt'])
export class AuthenticationLog extends AnalyticsRecordBase {
  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true }) requestId: string | null;
  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true }) userId: string | null;
  @Column({ name: 'event_type', type: 'varchar', length: 100 }) eventType: string;
  @Column({ type: 'boolean' }) success: boolean;
  @Column({ name: 'ip_address', type: 'varchar', length: 100, nullable: true }) ipAddress: string | null;
  @Column({ name: 'user_agent', type: 'text', nullable: true }) userAgent: string | null;
  @Column({ name: 'error_message', type: 'text', nullable: true }) errorMessage: string | null;
  @Column({ type: 'jsonb', nullable: true }) metadata: Record<string, unknown> | null;
}
