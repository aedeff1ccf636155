import type { EntityMetadata } from 'typeorm';
import { jsonText, pgText } from './pg-text';

/** PostgreSQL's limit of bind parameters in one statement. */
export const MAX_BIND_PARAMETERS = 65_535;

/** What the writer needs to know of a table: columns in order, with the SQL type to cast each parameter to. */
export interface TableShape {
  /** `"schema"."table"` */
  qualified: string;
  columns: string[];
  casts: string[];
  json: boolean[];
}

export interface Statement {
  sql: string;
  params: unknown[];
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/** Builds the shape of a table from its TypeORM metadata. */
export function tableShape(
  schema: string,
  metadata: EntityMetadata,
  driver: { normalizeType(column: { type?: unknown; length?: unknown; precision?: unknown; scale?: unknown }): string },
): TableShape {
  const columns = metadata.columns.map((c) => c.databaseName);
  const casts = metadata.columns.map((c) => {
    const type = driver.normalizeType(c);
    // A bare `::character` cast would cut a char(64) value to one character.
    const base = type === 'character' ? 'text' : type;
    return c.isArray ? `${base}[]` : base;
  });
  return { qualified: `${quote(schema)}.${quote(metadata.tableName)}`, columns, casts, json: casts.map((t) => t === 'jsonb' || t === 'json') };
}

/** How many rows of `columnCount` columns fit in one statement under the bind-parameter limit. */
export function rowsPerStatement(columnCount: number, maxParameters = MAX_BIND_PARAMETERS): number {
  if (columnCount < 1) throw new RangeError('columnCount must be at least 1');
  return Math.max(1, Math.floor(maxParameters / columnCount));
}

/** Splits `items` into consecutive chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('chunk size must be a positive integer');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A bind parameter PostgreSQL accepts: JSON as text, U+0000 replaced in strings. */
function parameter(value: unknown, json: boolean): unknown {
  if (value === undefined || value === null) return null;
  if (json) return jsonText(value);
  if (typeof value === 'string') return pgText(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? pgText(v) : v));
  return value;
}

/** `($1::uuid, $2::timestamptz, …), (…)` and the flat parameter list for these rows. */
function valuesList(shape: TableShape, rows: readonly Record<string, unknown>[]): Statement {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const slots = shape.columns.map((column, i) => {
      params.push(parameter(row[column], shape.json[i]));
      return `$${params.length}::${shape.casts[i]}`;
    });
    return `(${slots.join(', ')})`;
  });
  return { sql: tuples.join(', '), params };
}

/**
 * Multi-row `INSERT … ON CONFLICT DO NOTHING`: a retried batch inserts nothing twice.
 * `rows` must fit in one statement (see `rowsPerStatement`).
 */
export function buildInsert(shape: TableShape, rows: readonly Record<string, unknown>[]): Statement {
  const { sql, params } = valuesList(shape, rows);
  return {
    sql: `INSERT INTO ${shape.qualified} (${shape.columns.map(quote).join(', ')}) VALUES ${sql} ON CONFLICT DO NOTHING`,
    params,
  };
}

/**
 * Inserts events whose `dedup_key` was claimed by this very event (or that have none).
 * Run after `buildClaimKeys` in the same transaction.
 */
export function buildDedupedEventInsert(shape: TableShape, keysTable: string, rows: readonly Record<string, unknown>[]): Statement {
  const { sql, params } = valuesList(shape, rows);
  const cols = shape.columns.map(quote).join(', ');
  return {
    sql:
      `INSERT INTO ${shape.qualified} (${cols}) SELECT ${cols} FROM (VALUES ${sql}) AS v(${cols}) ` +
      `WHERE v."dedup_key" IS NULL OR EXISTS (SELECT 1 FROM ${keysTable} k WHERE k."dedup_key" = v."dedup_key" AND k."event_id" = v."id") ` +
      `ON CONFLICT DO NOTHING`,
    params,
  };
}

/** Claims each `dedup_key` for the first event that uses it; later events with the key are not stored. */
export function buildClaimKeys(keysTable: string, rows: readonly Record<string, unknown>[]): Statement {
  const keyed = rows.filter((r) => r.dedup_key != null);
  const params: unknown[] = [];
  const tuples = keyed.map((r) => {
    params.push(parameter(r.dedup_key, false), r.id, r.created_at);
    const n = params.length;
    return `($${n - 2}::varchar, $${n - 1}::uuid, $${n}::timestamptz)`;
  });
  return {
    sql: `INSERT INTO ${keysTable} ("dedup_key", "event_id", "created_at") VALUES ${tuples.join(', ')} ON CONFLICT ("dedup_key") DO NOTHING`,
    params,
  };
}

export const quoteIdentifier = quote;
