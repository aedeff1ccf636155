import { Injectable, Logger } from '@nestjs/common';
import { ACCESS_LOG_COLUMNS, RecordFactory } from '../records/record.factory';
import { BufferedRecord, EncodedBatch, hasRow, QueuedRecord, RecordRow, TableName } from '../records/record.types';
import { toTableRows } from '../records/table-rows';
import { AnalyticsCounters } from './analytics-counters';
import { ThrottledLogger } from './throttled-logger';

/**
 * Built records as a job payload: rows grouped by table, as value arrays (column names once
 * per table). `accessLogValues` are `api_access_logs` rows already in `ACCESS_LOG_COLUMNS`
 * order (finished requests, encoded by `BatchEncoder`); the array becomes the table's
 * values as it is, with any `api_access_logs` rows of `records` appended to it.
 */
export function encodeRecords(records: readonly BufferedRecord[], accessLogValues: unknown[][] = []): EncodedBatch {
  const byTable = new Map<TableName, RecordRow[]>();
  for (const { table, row } of records) {
    const rows = byTable.get(table);
    if (rows) rows.push(row);
    else byTable.set(table, [row]);
  }
  const batch: EncodedBatch = { v: 2, tables: {} };
  if (accessLogValues.length > 0) {
    const rows = byTable.get('api_access_logs') ?? [];
    byTable.delete('api_access_logs');
    for (const row of rows) accessLogValues.push(ACCESS_LOG_COLUMNS.map((column) => row[column] ?? null));
    batch.tables.api_access_logs = { columns: [...ACCESS_LOG_COLUMNS], values: accessLogValues };
  }
  for (const [table, rows] of byTable) batch.tables[table] = toTableRows(rows);
  return batch;
}

/**
 * Turns a batch leaving the buffer into a job payload. The access-log rows of finished
 * requests are built here, in one loop per batch, rather than on each request's path, and
 * straight as value arrays.
 */
@Injectable()
export class BatchEncoder {
  private readonly throttled = new ThrottledLogger(new Logger('AnalyticsProducer'));

  constructor(
    private readonly factory: RecordFactory,
    private readonly counters: AnalyticsCounters,
  ) {}

  /**
   * Encodes `records`. The values of a finished request's row are kept on its state, so a
   * batch sent again after a failed attempt keeps its ids.
   */
  encode(records: readonly QueuedRecord[]): EncodedBatch {
    const built: BufferedRecord[] = [];
    const accessLogValues: unknown[][] = [];
    for (const record of records) {
      try {
        if (hasRow(record)) built.push(record);
        else accessLogValues.push((record.rowValues ??= this.factory.accessLogValues(record)));
      } catch (err) {
        this.counters.captureErrors++;
        this.throttled.error('encode', `Could not build an analytics record: ${(err as Error).message}`);
      }
    }
    return encodeRecords(built, accessLogValues);
  }
}
