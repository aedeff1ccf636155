import type { DataSource } from 'typeorm';
import { MIGRATION_LOCK_KEY } from '../analytics.constants';

/**
 * Creates the schema and applies pending migrations while holding a PostgreSQL advisory
 * lock keyed by the schema, so several instances starting at once never race: the
 * first migrates, the others wait and then find nothing to do.
 *
 * @returns the names of the migrations applied by this call.
 */
export async function migrateWithLock(dataSource: DataSource): Promise<string[]> {
  const schema = (dataSource.options as { schema?: string }).schema ?? 'public';
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK_KEY % 2 ** 31, schema]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '""')}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', [MIGRATION_LOCK_KEY % 2 ** 31, schema]);
    }
  } finally {
    await runner.release();
  }
}
