import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ANALYTICS_DATA_SOURCE, ANALYTICS_MODULE_OPTIONS, ANALYTICS_WORKER_THREAD } from '../analytics.constants';
import { messages } from '../analytics.messages';
import type { ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import { DEDUP_KEYS_TABLE, TABLE_NAMES, TableName } from '../records/record.types';
import { migrateWithLock } from './schema-migrator';
import { TableShape, tableShape } from './insert-statement.builder';

/**
 * How long a connect waits for another instance's migration lock before it gives up (the
 * app starts all the same; the worker tries again on its next batch).
 */
export const MIGRATION_LOCK_WAIT_MS = 10_000;

/**
 * The module's own DataSource, connected lazily: PostgreSQL being down at start-up never
 * stops the app. `ready()` connects (and migrates, when `runMigrations`) on first use and
 * again after a failure.
 */
@Injectable()
export class AnalyticsDatabase {
  private readonly logger = new Logger('AnalyticsDatabase');
  private readying: Promise<DataSource> | null = null;
  private shapes: Map<TableName, TableShape> | null = null;

  constructor(
    @InjectDataSource(ANALYTICS_DATA_SOURCE) readonly dataSource: DataSource,
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: ResolvedAnalyticsOptions,
    @Inject(ANALYTICS_WORKER_THREAD) private readonly inWorkerThread: boolean,
  ) {}

  /** Connected (and migrated) DataSource; rejects while PostgreSQL is unreachable. */
  ready(): Promise<DataSource> {
    this.readying ??= this.connect().catch((err) => {
      this.readying = null;
      throw err;
    });
    return this.readying;
  }

  /** Column names and SQL types of a table, from the entity metadata. */
  shape(table: TableName): TableShape {
    if (!this.shapes) {
      const ds = this.dataSource;
      this.shapes = new Map(
        TABLE_NAMES.map((name) => {
          const metadata = ds.entityMetadatas.find((m) => m.tableName === name);
          if (!metadata) throw new Error(`No entity for table ${name}`);
          return [name, tableShape(this.options.database.schema, metadata, ds.driver)];
        }),
      );
    }
    return this.shapes.get(table)!;
  }

  private async connect(): Promise<DataSource> {
    const ds = this.dataSource;
    if (!ds.isInitialized) await ds.initialize();
    if (this.options.runMigrations) {
      const applied = await migrateWithLock(ds, { lockTimeoutMs: MIGRATION_LOCK_WAIT_MS });
      const line = messages.migrationsApplied(this.options.database.schema, applied);
      if (line) this.logger.log(line);
    }
    await this.checkSchema(ds);
    return ds;
  }

  /**
   * Says at once, naming them, when tables or columns the writer needs are missing (a
   * schema never migrated with `runMigrations: false`, a column dropped by hand): otherwise
   * the first sign would be batches failing minutes later. Read from the catalog, which
   * shows every table whatever the role's privileges. A worker thread stays quiet when the
   * process, which migrated, has said it already.
   */
  private async checkSchema(ds: DataSource): Promise<void> {
    const { schema } = this.options.database;
    const expected = new Map<string, string[]>(TABLE_NAMES.map((table) => [table, this.shape(table).columns]));
    expected.set(DEDUP_KEYS_TABLE, []);
    const found: Array<{ table: string; column: string }> = await ds.query(
      `SELECT c.relname AS "table", a.attname AS "column"
         FROM pg_catalog.pg_class c
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE n.nspname = $1 AND c.relname = ANY($2) AND c.relkind IN ('r', 'p')`,
      [schema, [...expected.keys()]],
    );
    const present = new Set(found.map((row) => `${row.table}.${row.column}`));
    const tables = new Set(found.map((row) => row.table));
    const missing: string[] = [];
    for (const [table, columns] of expected) {
      if (!tables.has(table)) missing.push(`table ${table}`);
      else for (const column of columns) if (!present.has(`${table}.${column}`)) missing.push(`${table}.${column}`);
    }
    if (missing.length === 0) return;
    const message = messages.schemaIncomplete(schema, missing, this.options.runMigrations);
    if (this.inWorkerThread && this.options.runMigrations) this.logger.debug(message);
    else this.logger.error(message);
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** PostgreSQL error classes that mean the server could not be reached or refused the session (not a schema problem). */
const CONNECTION_SQLSTATE = /^(08|28|3D|57P)/;

/** True when an error means PostgreSQL could not be reached or refused the connection, rather than a failed migration. */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return /timeout|terminated|ECONNREFUSED|connect/i.test(String((err as Error)?.message ?? err));
  return code.startsWith('E') || CONNECTION_SQLSTATE.test(code);
}
