import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DEDUP_KEYS_TABLE } from '../records/record.types';

/**
 * One row per `dedupKey` ever used. Kept outside `event_logs` so uniqueness holds across
 * all time even when `event_logs` is partitioned by `created_at`.
 */
@Entity({ name: DEDUP_KEYS_TABLE })
export class EventDedupKey {
  @PrimaryColumn({ name: 'dedup_key', type: 'varchar', length: 255 }) dedupKey: string;
  /** The event that claimed the key. */
  @Column({ name: 'event_id', type: 'uuid' }) eventId: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
