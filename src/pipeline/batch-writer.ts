import { Injectable } from '@nestjs/common';
import { AnalyticsDatabase } from '../database/analytics-database';
import {
  buildClaimKeys,
  buildDedupedEventInsert,
  buildInsert,
  chunk,
  quoteIdentifier,
  rowsPerStatement,
  Statement,
} from '../database/insert-statement.builder';
import { BatchPayload, RecordRow, TABLE_NAMES, TableName } from '../records/record.types';

/**
 * Writes one batch in one transaction: per table, multi-row `INSERT … ON CONFLICT DO
 * NOTHING` statements chunked under PostgreSQL's bind-parameter limit.
 */
@Injectable()
export class BatchWriter {
  constructor(private readonly database: AnalyticsDatabase) {}

  /** @returns the number of rows inserted (rows already present are not counted). */
  async write(payload: BatchPayload): Promise<number> {
    const dataSource = await this.database.ready();
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    let inserted = 0;
    try {
      await runner.startTransaction();
      for (const table of TABLE_NAMES) {
        const rows = payload[table];
        if (!rows?.length) continue;
        for (const statement of this.statements(table, rows)) {
          const result = await runner.query(statement.sql, statement.params, true);
          if (statement.counts) inserted += result.affected ?? 0;
        }
      }
      await runner.commitTransaction();
      return inserted;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  private *statements(table: TableName, rows: RecordRow[]): Generator<Statement & { counts: boolean }> {
    const shape = this.database.shape(table);
    const size = rowsPerStatement(shape.columns.length);
    const deduped = table === 'event_logs' && rows.some((r) => r.dedup_key != null);
    const keysTable = `${shape.qualified.split('.')[0]}.${quoteIdentifier('event_dedup_keys')}`;
    for (const part of chunk(rows, size)) {
      if (!deduped) {
        yield { ...buildInsert(shape, part), counts: true };
        continue;
      }
      if (part.some((r) => r.dedup_key != null)) yield { ...buildClaimKeys(keysTable, part), counts: false };
      yield { ...buildDedupedEventInsert(shape, keysTable, part), counts: true };
    }
  }
}
