import type { DataSource } from 'typeorm';
import { MIGRATION_LOCK_KEY } from '../analytics.constants';
import { messages } from '../analytics.messages';

/** PostgreSQL's `lock_not_available`: `lock_timeout` ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

export interface MigrateOptions {
  /**
   * How long to wait for another instance's migration lock before giving up with an error
   * (PostgreSQL's `lock_timeout`); no limit when absent (the CLI waits).
   */
  lockTimeoutMs?: number;
}

/**
 * Creates the schema and applies pending migrations while holding a PostgreSQL advisory
 * lock keyed by the schema, so several instances starting at once never race: the
 * first migrates, the others wait and then find nothing to do.
 *
 * The schema is created only when it is missing: `CREATE SCHEMA IF NOT EXISTS` needs the
 * CREATE privilege on the database even when the schema exists, which a schema's owner or
 * a least-privilege role does not have.
 *
 * @returns the names of the migrations applied by this call.
 */
export async function migrateWithLock(dataSource: DataSource, { lockTimeoutMs }: MigrateOptions = {}): Promise<string[]> {
  const schema = (dataSource.options as { schema?: string }).schema ?? 'public';
  const lock = [MIGRATION_LOCK_KEY % 2 ** 31, schema];
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    if (lockTimeoutMs !== undefined) await runner.query(`SET lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
    await runner.query('SELECT pg_advisory_lock($1, hashtext($2))', lock).catch((err: { code?: string }) => {
      throw err?.code === LOCK_NOT_AVAILABLE ? new Error(messages.migrationLockTimeout(schema, lockTimeoutMs!)) : err;
    });
    try {
      const [{ present }] = await runner.query('SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS present', [schema]);
      if (!present) await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '""')}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', lock);
    }
  } finally {
    if (lockTimeoutMs !== undefined) await runner.query('RESET lock_timeout').catch(() => undefined);
    await runner.release();
  }
}
