import { Injectable, Logger } from '@nestjs/common';
import { RecordFactory } from '../records/record.factory';
import { BufferedRecord, EncodedBatch, hasRow, QueuedRecord, RecordRow, TableName } from '../records/record.types';
import { toTableRows } from '../records/table-rows';
import { AnalyticsCounters } from './analytics-counters';
import { ThrottledLogger } from './throttled-logger';

/** Built records as a job payload: rows grouped by table, as value arrays (column names once per table). */
export function encodeRecords(records: readonly BufferedRecord[]): EncodedBatch {
  const byTable = new Map<TableName, RecordRow[]>();
  for (const { table, row } of records) {
    const rows = byTable.get(table);
    if (rows) rows.push(row);
    else byTable.set(table, [row]);
  }
  const batch: EncodedBatch = { v: 2, tables: {} };
  for (const [table, rows] of byTable) batch.tables[table] = toTableRows(rows);
  return batch;
}

/**
 * Turns a batch leaving the buffer into a job payload. The access-log rows of finished
 * requests are built here, in one loop per batch, rather than on each request's path.
 */
@Injectable()
export class BatchEncoder {
  private readonly throttled = new ThrottledLogger(new Logger('AnalyticsProducer'));

  constructor(
    private readonly factory: RecordFactory,
    private readonly counters: AnalyticsCounters,
  ) {}

  /**
   * Encodes `records`. Rows of finished requests are built in place (the array then holds
   * them as built records), so a batch sent again after a failed attempt keeps its ids.
   */
  encode(records: QueuedRecord[]): EncodedBatch {
    const built: BufferedRecord[] = [];
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      try {
        built.push(hasRow(record) ? record : (records[i] = this.factory.accessLog(record)));
      } catch (err) {
        this.counters.captureErrors++;
        this.throttled.error('encode', `Could not build an analytics record: ${(err as Error).message}`);
      }
    }
    return encodeRecords(built);
  }
}
