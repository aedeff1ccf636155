import { Column, Entity, Index } from 'typeorm';
import { AnalyticsRecordBase } from './analytics-record.base';

/** Who did what to which resource, with before/after state and outcome. */
@Entity({ name: 'audit_logs' })
@Index('idx_audit_logs_created', ['createdAt'])
@Index('idx_audit_logs_user_created', ['userId', 'createdAt'])
@Index('idx_audit_logs_action_created', ['action', 'createdAt'])
@Index('idx_audit_logs_severity_created', ['severity', 'createdAt'])
@Index('idx_audit_logs_tenant_created', ['tenantId', 'createdAt'])
@Index('idx_audit_logs_resource', ['resourceType', 'resourceId'])
@Index('idx_audit_logs_request', ['requestId'])
@Index('idx_audit_logs_correlation', ['correlationId'])
@Index('idx_audit_logs_operation', ['operationId'])
@Index('idx_audit_logs_compliance_created', ['isComplianceRelevant', 'createdAt'])
@Index('idx_audit_logs_category_created', ['category', 'createdAt'])
export class AuditLog extends AnalyticsRecordBase {
  @Column({ type: 'varchar', length: 255 }) action: string;
  @Column({ type: 'varchar', length: 16, default: 'info' }) severity: string;
  @Column({ type: 'varchar', length: 16, default: 'success' }) status: string;
  @Column({ type: 'text', nullable: true }) message: string | null;
  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true }) userId: string | null;
  @Column({ name: 'user_email', type: 'varchar', length: 255, nullable: true }) userEmail: string | null;
  @Column({ name: 'tenant_id', type: 'varchar', length: 255, nullable: true }) tenantId: string | null;
  @Column({ name: 'session_id', type: 'varchar', length: 255, nullable: true }) sessionId: string | null;
  @Column({ name: 'request_id', type: 'varchar', length: 255, nullable: true }) requestId: string | null;
  @Column({ name: 'correlation_id', type: 'varchar', length: 255, nullable: true }) correlationId: string | null;
  @Column({ name: 'source_ip', type: 'varchar', length: 100, nullable: true }) sourceIp: string | null;
  @Column({ name: 'user_agent', type: 'text', nullable: true }) userAgent: string | null;
  /** web, api, cli, worker or system */
  @Column({ name: 'source_system', type: 'varchar', length: 16, nullable: true }) sourceSystem: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) area: string | null;
  @Column({ name: 'resource_type', type: 'varchar', length: 100, nullable: true }) resourceType: string | null;
  @Column({ name: 'resource_id', type: 'varchar', length: 255, nullable: true }) resourceId: string | null;
  @Column({ name: 'parent_resource_id', type: 'varchar', length: 255, nullable: true }) parentResourceId: string | null;
  @Column({ name: 'operation_id', type: 'varchar', length: 255, nullable: true }) operationId: string | null;
  @Column({ name: 'before_data', type: 'jsonb', nullable: true }) beforeData: unknown;
  @Column({ name: 'after_data', type: 'jsonb', nullable: true }) afterData: unknown;
  /** Field-level diff of before/after: `{ "name": { "from": "a", "to": "b" } }`. */
  @Column({ type: 'jsonb', nullable: true }) changes: Record<string, { from: unknown; to: unknown }> | null;
  @Column({ type: 'jsonb', nullable: true }) metadata: Record<string, unknown> | null;
  @Column({ type: 'text', array: true, nullable: true }) tags: string[] | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) category: string | null;
  @Column({ name: 'error_code', type: 'varchar', length: 100, nullable: true }) errorCode: string | null;
  @Column({ name: 'error_message', type: 'text', nullable: true }) errorMessage: string | null;
  @Column({ name: 'stack_trace', type: 'text', nullable: true }) stackTrace: string | null;
  @Column({ name: 'duration_ms', type: 'double precision', nullable: true }) durationMs: number | null;
  @Column({ name: 'retention_policy', type: 'varchar', length: 100, nullable: true }) retentionPolicy: string | null;
  @Column({ name: 'is_sensitive', type: 'boolean', default: false }) isSensitive: boolean;
  @Column({ name: 'is_compliance_relevant', type: 'boolean', default: false }) isComplianceRelevant: boolean;
}
