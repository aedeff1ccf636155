import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS_TABLE } from '../analytics.constants';
import { ANALYTICS_ENTITIES } from '../entities';
import { ANALYTICS_MIGRATIONS } from '../migrations';
import type { ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import { AnalyticsTypeOrmLogger } from './typeorm-logger';

/**
 * TypeORM options of the module's own DataSource. Used by the module and by
 * `ormconfig.ts` (the TypeORM CLI), so both see the same entities and migrations.
 */
export function createDataSourceOptions(database: ResolvedAnalyticsOptions['database']): DataSourceOptions {
  const { url, host, port, username, password, database: name, ssl, poolSize, schema } = database;
  return {
    type: 'postgres',
    ...(url ? { url } : { host, port, username, password, database: name }),
    ssl: ssl as DataSourceOptions extends { ssl?: infer S } ? S : never,
    schema,
    entities: ANALYTICS_ENTITIES,
    migrations: ANALYTICS_MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsRun: false,
    synchronize: false,
    // The module reports failures itself, without echoing row values into logs; TypeORM
    // prints nothing by itself (not even a failed migration, which the module reports).
    logging: false,
    logger: new AnalyticsTypeOrmLogger(),
    applicationName: 'nestjs-analytics',
    poolSize,
    // Fail fast when PostgreSQL is down: the worker retries the job, requests never wait.
    connectTimeoutMS: 3000,
    extra: { max: poolSize, connectionTimeoutMillis: 3000 },
  } as DataSourceOptions;
}
