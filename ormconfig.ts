/**
 * The DataSource the TypeORM CLI uses to generate and run this package's migrations:
 *   npm run migration:run
 *   npm run migration:generate -- src/migrations/<Name>
 * It reads ANALYTICS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 * and ANALYTICS_DATABASE_SCHEMA (default analytics).
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { createDataSourceOptions } from './src/database/analytics-data-source.options';
import { DEFAULT_DATABASE_URL } from './src/options/analytics-options.defaults';

export default new DataSource(
  createDataSourceOptions({
    url: process.env.ANALYTICS_DATABASE_URL ?? DEFAULT_DATABASE_URL,
    schema: process.env.ANALYTICS_DATABASE_SCHEMA ?? 'analytics',
    poolSize: 2,
  }),
);
