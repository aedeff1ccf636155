import type { BatchPayload, EncodedBatch, JobPayload, RecordRow, TableName, TableRows } from './record.types';

/** Rows as value arrays: every key any row has becomes a column (first seen, first); missing values are null. */
export function toTableRows(rows: readonly RecordRow[]): TableRows {
  const columns: string[] = [];
  const index = new Map<string, number>();
  for (const row of rows) {
    for (const key in row) {
      if (!index.has(key)) {
        index.set(key, columns.length);
        columns.push(key);
      }
    }
  }
  // Filled with push, not preallocated with `new Array(n)`: a preallocated array is "holey"
  // to V8, and JSON.stringify (Bull's, on every job) then takes its slow path for it.
  const values: unknown[][] = [];
  for (const row of rows) {
    const out: unknown[] = [];
    for (const column of columns) out.push(row[column] ?? null);
    values.push(out);
  }
  return { columns, values };
}

/** Value arrays back to row objects (the INSERT path). */
export function toRowObjects({ columns, values }: TableRows): Record<string, unknown>[] {
  return values.map((value) => {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) row[columns[c]] = value[c];
    return row;
  });
}

export const isEncodedBatch = (payload: JobPayload | undefined | null): payload is EncodedBatch =>
  !!payload && (payload as EncodedBatch).v === 2 && typeof (payload as EncodedBatch).tables === 'object';

/** A job's tables as value arrays, whatever the format it was written in. */
export function tablesOf(payload: JobPayload): Partial<Record<TableName, TableRows>> {
  if (isEncodedBatch(payload)) return payload.tables;
  const tables: Partial<Record<TableName, TableRows>> = {};
  for (const [table, rows] of Object.entries(payload as BatchPayload) as [TableName, RecordRow[] | undefined][]) {
    if (rows?.length) tables[table] = toTableRows(rows);
  }
  return tables;
}

/** How many records a job carries. */
export function rowCount(payload: JobPayload | undefined | null): number {
  if (!payload) return 0;
  const tables: Record<string, TableRows | RecordRow[] | undefined> = isEncodedBatch(payload) ? payload.tables : payload;
  let n = 0;
  for (const value of Object.values(tables)) n += (Array.isArray(value) ? value.length : value?.values?.length) ?? 0;
  return n;
}
