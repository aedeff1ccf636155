import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ANALYTICS_DATA_SOURCE, ANALYTICS_MODULE_OPTIONS } from '../analytics.constants';
import { messages } from '../analytics.messages';
import type { ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import { TABLE_NAMES, TableName } from '../records/record.types';
import { migrateWithLock } from './schema-migrator';
import { TableShape, tableShape } from './insert-statement.builder';

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
      const applied = await migrateWithLock(ds);
      const line = messages.migrationsApplied(this.options.database.schema, applied);
      if (line) this.logger.log(line);
    }
    return ds;
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
