import { Inject, Injectable } from '@nestjs/common';
import { finished } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, QueryRunner } from 'typeorm';
import { ANALYTICS_MODULE_OPTIONS } from '../analytics.constants';
import { messages } from '../analytics.messages';
import { AnalyticsDatabase } from '../database/analytics-database';
import type { ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import { encodeCopyTable } from '../database/copy-statement.builder';
import {
  buildClaimKeys,
  buildDedupedEventInsert,
  buildInsert,
  chunk,
  quoteIdentifier,
  rowsPerStatement,
  Statement,
} from '../database/insert-statement.builder';
import { DEDUP_KEYS_TABLE, JobPayload, TABLE_NAMES, TableName, TableRows } from '../records/record.types';
import { rowCount, tablesOf, toRowObjects } from '../records/table-rows';
import { withTimeout } from './with-timeout';

/** PostgreSQL's `unique_violation`. */
const UNIQUE_VIOLATION = '23505';

/** How a batch is written: `copy` first; `insert` when a row of the batch is already stored. */
export type WriteMethod = 'copy' | 'insert';

const isUniqueViolation = (err: unknown) => (err as { code?: string } | null)?.code === UNIQUE_VIOLATION;

/**
 * An error about a row's values rather than the batch as a whole: SQLSTATE class 22 (a data
 * exception: a value the column refuses) or 23 (an integrity violation: a CHECK constraint
 * you added, a row no partition takes).
 */
const isRowError = (err: unknown) => /^2[23]/.test(sqlState(err));

/** An error about one table (a column or the table missing, no privilege on it) or a row of it: the batch's other tables can still be written. */
const isTableError = (err: unknown) => isRowError(err) || ['42703', '42P01', '42501'].includes(sqlState(err));

/** The most writes one attempt makes to find the rows PostgreSQL refuses in a batch (see `writeAround`). */
const SPLIT_WRITES = 64;

/** How long ending an abandoned write's server process may take. */
const TERMINATE_TIMEOUT_MS = 5000;

const sqlState = (err: unknown) => String((err as { code?: unknown } | null)?.code ?? '');

/** Thrown for a batch some of whose rows PostgreSQL refused: the others are stored. */
export class RowsRefusedError extends Error {
  /** How many rows were refused, in all. */
  readonly refusedRows: number;

  constructor(
    /** Per table: how many rows were refused, and why (the first reason). */
    readonly refused: Array<{ table: TableName; rows: number; reason: string }>,
    /** Rows of the batch stored by this attempt (rows stored by an earlier one are not counted). */
    readonly inserted: number,
    /** Rows of the batch in the batch, refused or not. */
    readonly totalRows: number,
  ) {
    const refusedRows = refused.reduce((n, r) => n + r.rows, 0);
    const parts = refused.map(({ table, rows, reason }) => `${rows} row(s) of ${table} (${reason})`);
    super(`PostgreSQL refused ${parts.join(', ')}; the batch's other ${totalRows - refusedRows} row(s) are stored`);
    this.name = 'RowsRefusedError';
    this.refusedRows = refusedRows;
  }

  /** Rows of the batch that are in their tables. */
  get storedRows(): number {
    return this.totalRows - this.refusedRows;
  }
}

/**
 * Writes one batch in one transaction (a batch of one table is one COPY, atomic by itself).
 *
 * First try: per table, one `COPY … FROM STDIN` (the fastest bulk path PostgreSQL has).
 * Record ids are made by the producer, so the only way a row can already be stored is a
 * batch replayed after it was committed (a stalled job, a retry after a lost ack). COPY
 * then fails with a unique violation, the transaction is rolled back and the batch is
 * written again with multi-row `INSERT … ON CONFLICT DO NOTHING` statements (chunked under
 * PostgreSQL's bind-parameter limit), which skip the rows already there.
 *
 * Events with a `dedupKey` always take the INSERT path, after claiming their keys.
 *
 * A row PostgreSQL refuses (a value a column cannot hold, a CHECK you added, a row no
 * partition takes), or a table it cannot write (a column dropped by hand), does not hold
 * the rest of its batch back: the batch is written again table by table, and a table whose
 * rows were refused in halves, down to the rows at fault; everything
 * else is stored, and `RowsRefusedError` names what was not, so that the batch is retried
 * and, in the end, kept in the failed set for replay (which stores only what is missing).
 */
@Injectable()
export class BatchWriter {
  constructor(
    private readonly database: AnalyticsDatabase,
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: Pick<ResolvedAnalyticsOptions, 'worker'>,
  ) {}

  /**
   * @returns the number of rows inserted (rows already present are not counted).
   * @throws RowsRefusedError when some rows were refused and the others stored.
   */
  async write(payload: JobPayload): Promise<number> {
    // Connecting (and migrating) fails for the whole batch, whatever the error.
    await this.database.ready();
    try {
      return await this.writeWhole(payload);
    } catch (err) {
      if (!isTableError(err) || rowCount(payload) < 2) throw err;
      return this.writeAround(tablesOf(payload));
    }
  }

  private async writeWhole(payload: JobPayload): Promise<number> {
    try {
      return await this.writeWith('copy', payload);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return this.writeWith('insert', payload);
    }
  }

  /**
   * Stores every row it can: each table on its own first, then the rows of a refused table
   * in halves. At most `SPLIT_WRITES` writes go to halves: a few refused rows are found
   * among a thousand, but a batch whose rows are all refused (no partition for the month, a
   * CHECK that refuses everything) must not cost a transaction per row on every attempt;
   * past the budget, what is left untried counts as refused and is retried with the batch.
   * Throws `RowsRefusedError` naming what was refused.
   */
  private async writeAround(tables: Partial<Record<TableName, TableRows>>): Promise<number> {
    const refused: RowsRefusedError['refused'] = [];
    const toSplit: Array<[TableName, TableRows]> = [];
    let inserted = 0;
    for (const table of TABLE_NAMES) {
      const rows = tables[table];
      if (!rows?.values.length) continue;
      try {
        inserted += await this.writeTable(table, rows);
      } catch (err) {
        if (!(err instanceof RefusedWrite)) throw err;
        if (isRowError(err.cause) && rows.values.length > 1) toSplit.push([table, rows]);
        else refuse(refused, table, rows.values.length, err.cause);
      }
    }
    const budget = { writes: SPLIT_WRITES };
    for (const [table, rows] of toSplit) {
      for (const half of halves(rows)) inserted += await this.writeTableAround(table, half, refused, budget);
    }
    if (refused.length > 0) throw new RowsRefusedError(refused, inserted, rowCount({ v: 2, tables }));
    return inserted;
  }

  /**
   * One table's rows, in one INSERT transaction: rows already stored are skipped. An error
   * that is not about the rows or the table (a connection lost, a deadlock, a timeout) ends
   * the attempt as it is, and the batch is retried whole.
   */
  private async writeTable(table: TableName, rows: TableRows): Promise<number> {
    try {
      return await this.writeWith('insert', { v: 2, tables: { [table]: rows } });
    } catch (err) {
      throw isTableError(err) ? new RefusedWrite(err) : err;
    }
  }

  /** Rows of a table some of which were refused: on their own, and when refused again, in halves, down to single rows, within the budget. */
  private async writeTableAround(
    table: TableName,
    rows: TableRows,
    refused: RowsRefusedError['refused'],
    budget: { writes: number },
  ): Promise<number> {
    if (budget.writes <= 0) {
      refuse(refused, table, rows.values.length, new Error('not tried: more rows were refused than one attempt looks for'));
      return 0;
    }
    budget.writes--;
    try {
      return await this.writeTable(table, rows);
    } catch (err) {
      if (!(err instanceof RefusedWrite)) throw err;
      if (!(isRowError(err.cause) && rows.values.length > 1)) {
        refuse(refused, table, rows.values.length, err.cause);
        return 0;
      }
      let inserted = 0;
      for (const half of halves(rows)) inserted += await this.writeTableAround(table, half, refused, budget);
      return inserted;
    }
  }

  /** Writes the whole batch with one method, in one transaction. */
  async writeWith(method: WriteMethod, payload: JobPayload): Promise<number> {
    const tables = tablesOf(payload);
    const dataSource = await this.database.ready();
    const runner = dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    // A write that gets no answer (a frozen connection, a lock held for long) must not hold
    // its batch forever: Bull renews the job's lock while the worker lives, so nothing else
    // would take it back. `end()` on a client with a query in flight destroys its socket; the
    // query fails, the pool drops the client, and the batch is retried. The server does not
    // notice a closed socket while its statement waits for a lock, so its backend is
    // terminated too, from another connection: it would keep its connection slot meanwhile.
    const { writeTimeoutMs } = this.options.worker;
    let abandoned = false;
    const watchdog = setTimeout(() => {
      abandoned = true;
      const backend = (client as { processID?: number | null }).processID;
      client.end().catch(() => undefined);
      if (backend) void this.terminate(dataSource, backend);
    }, writeTimeoutMs);
    let inserted = 0;
    try {
      const only = method === 'copy' ? this.onlyTable(tables) : undefined;
      // One COPY is one statement, atomic by itself: no BEGIN and COMMIT round trips.
      if (only !== undefined) return await this.copy(client, only, tables[only]!);
      await runner.startTransaction();
      for (const table of TABLE_NAMES) {
        const rows = tables[table];
        if (!rows?.values.length) continue;
        inserted +=
          method === 'copy' && !this.hasDedupKeys(table, rows)
            ? await this.copy(client, table, rows)
            : await this.insert(runner, table, rows);
      }
      await runner.commitTransaction();
      return inserted;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw abandoned ? new Error(messages.writeTimeout(writeTimeoutMs)) : err;
    } finally {
      clearTimeout(watchdog);
      await runner.release();
    }
  }

  /** Ends an abandoned write's server process; PostgreSQL lets a role end its own. Best effort: the server may be unreachable. */
  private async terminate(dataSource: DataSource, backend: number): Promise<void> {
    await withTimeout(dataSource.query('SELECT pg_terminate_backend($1)', [backend]), TERMINATE_TIMEOUT_MS, 'timeout').catch(() => undefined);
  }

  /** The batch's one table when it has rows in one table only and no dedup keys (a COPY alone writes it). */
  private onlyTable(tables: Partial<Record<TableName, TableRows>>): TableName | undefined {
    let only: TableName | undefined;
    for (const table of TABLE_NAMES) {
      const rows = tables[table];
      if (!rows?.values.length) continue;
      if (only !== undefined || this.hasDedupKeys(table, rows)) return undefined;
      only = table;
    }
    return only;
  }

  private hasDedupKeys(table: TableName, { columns, values }: TableRows): boolean {
    const at = columns.indexOf('dedup_key');
    return table === 'event_logs' && at !== -1 && values.some((v) => v[at] != null);
  }

  private async copy(client: PoolClient, table: TableName, rows: TableRows): Promise<number> {
    const { sql, body } = encodeCopyTable(this.database.shape(table), rows);
    const stream = client.query(copyFrom(sql));
    // One write and end, rather than `pipeline(Readable.from([body]), stream)`: the body is
    // one string, and pipeline's abort signal made a DOMException for every table of every batch.
    stream.end(body);
    await finished(stream);
    return stream.rowCount;
  }

  private async insert(runner: QueryRunner, table: TableName, rows: TableRows): Promise<number> {
    let inserted = 0;
    for (const statement of this.statements(table, rows)) {
      const result = await runner.query(statement.sql, statement.params, true);
      if (statement.counts) inserted += result.affected ?? 0;
    }
    return inserted;
  }

  private *statements(table: TableName, tableRows: TableRows): Generator<Statement & { counts: boolean }> {
    const shape = this.database.shape(table);
    const size = rowsPerStatement(shape.columns.length);
    const deduped = this.hasDedupKeys(table, tableRows);
    const keysTable = `${shape.qualified.split('.')[0]}.${quoteIdentifier(DEDUP_KEYS_TABLE)}`;
    for (const part of chunk(toRowObjects(tableRows), size)) {
      if (!deduped) {
        yield { ...buildInsert(shape, part), counts: true };
        continue;
      }
      if (part.some((r) => r.dedup_key != null)) yield { ...buildClaimKeys(keysTable, part), counts: false };
      yield { ...buildDedupedEventInsert(shape, keysTable, part), counts: true };
    }
  }
}

/** Adds refused rows of a table to the list (one entry per table, with the first reason). */
function refuse(refused: RowsRefusedError['refused'], table: TableName, rows: number, err: unknown): void {
  const entry = refused.find((r) => r.table === table);
  if (entry) entry.rows += rows;
  else refused.push({ table, rows, reason: (err as Error)?.message ?? String(err) });
}

/** A table's rows cut in two. */
function halves({ columns, values }: TableRows): TableRows[] {
  const at = Math.ceil(values.length / 2);
  return [
    { columns, values: values.slice(0, at) },
    { columns, values: values.slice(at) },
  ];
}

/** A write PostgreSQL refused for its rows or its table (`cause`), as opposed to one that failed for another reason. */
class RefusedWrite extends Error {
  constructor(override readonly cause: unknown) {
    super((cause as Error)?.message ?? String(cause));
  }
}
