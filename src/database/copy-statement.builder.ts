import { quoteIdentifier, type TableShape } from './insert-statement.builder';
import type { TableRows } from '../records/record.types';
import { jsonText, NUL_REPLACEMENT, pgText } from './pg-text';

/**
 * `COPY … FROM STDIN` in PostgreSQL's text format: one line per row, columns separated by
 * tabs, `\N` for NULL, and backslash escapes for `\`, tab, newline and carriage return.
 * https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2
 */

const COPY_SPECIAL = /[\\\t\n\r\0]/;
const COPY_SPECIAL_ALL = /[\\\t\n\r\0]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': NUL_REPLACEMENT };
const ARRAY_SPECIAL_ALL = /[\\"]/g;

/** `COPY "schema"."table" ("a", "b", …) FROM STDIN` for these columns (by default every column of the shape). */
export function buildCopy(shape: TableShape, columns: readonly string[] = shape.columns): string {
  return `COPY ${shape.qualified} (${columns.map(quoteIdentifier).join(', ')}) FROM STDIN`;
}

/** A PostgreSQL array literal of text elements: `{"a","b\"c",NULL}`. */
export function arrayLiteral(values: readonly unknown[]): string {
  const elements = values.map((v) =>
    v === null || v === undefined ? 'NULL' : `"${pgText(String(v)).replace(ARRAY_SPECIAL_ALL, '\\$&')}"`,
  );
  return `{${elements.join(',')}}`;
}

function escapeCopy(text: string): string {
  return COPY_SPECIAL.test(text) ? text.replace(COPY_SPECIAL_ALL, (c) => COPY_ESCAPES[c]) : text;
}

/** One field in COPY text format. */
function copyField(value: unknown, json: boolean, array: boolean): string {
  if (value === null || value === undefined) return '\\N';
  if (json) {
    const text = jsonText(value);
    return text === null ? '\\N' : escapeCopy(text);
  }
  switch (typeof value) {
    case 'string':
      return escapeCopy(value);
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
  }
  if (value instanceof Date) return value.toISOString();
  if (array && Array.isArray(value)) return escapeCopy(arrayLiteral(value));
  return escapeCopy(jsonText(value) ?? '');
}

/**
 * `COPY` of a job's value arrays: the statement for the columns the table has (a column it
 * does not have is left out, as the INSERT path ignores unknown keys) and its text body.
 */
export function encodeCopyTable(shape: TableShape, rows: TableRows): { sql: string; body: string } {
  const picks: number[] = [];
  const names: string[] = [];
  const json: boolean[] = [];
  const arrays: boolean[] = [];
  rows.columns.forEach((column, i) => {
    const at = shape.columns.indexOf(column);
    if (at === -1) return;
    picks.push(i);
    names.push(column);
    json.push(shape.json[at]);
    arrays.push(shape.casts[at].endsWith('[]'));
  });
  const { values } = rows;
  let body = '';
  for (let r = 0; r < values.length; r++) {
    const value = values[r];
    for (let c = 0; c < picks.length; c++) {
      if (c > 0) body += '\t';
      body += copyField(value[picks[c]], json[c], arrays[c]);
    }
    body += '\n';
  }
  return { sql: buildCopy(shape, names), body };
}

/** The COPY text-format body for row objects: one newline-terminated line per row, columns in shape order. */
export function encodeCopyRows(shape: TableShape, rows: readonly Record<string, unknown>[]): string {
  const values = rows.map((row) => shape.columns.map((column) => row[column]));
  return encodeCopyTable(shape, { columns: shape.columns, values }).body;
}
