import { Column, PrimaryColumn } from 'typeorm';

/**
 * Columns shared by every analytics table. The primary key `(id, created_at)` lets a
 * table be range-partitioned by month without a rewrite, and makes a retried batch
 * insert nothing twice (`ON CONFLICT DO NOTHING`).
 */
export abstract class AnalyticsRecordBase {
  /** UUID v7 (time-ordered), made by the producer. */
  @PrimaryColumn('uuid')
  id: string;

  /** When the thing happened, set by the producer (not the insert time). */
  @PrimaryColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** W3C trace id of the request that made the record, if it carried a `traceparent`. */
  @Column({ name: 'trace_id', type: 'varchar', length: 32, nullable: true })
  traceId: string | null;
}
