import type { QueryRunner } from 'typeorm';

/** The quoted schema of the DataSource running a migration (validated as `[a-z_][a-z0-9_]*` at start-up). */
export function schemaOf(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.options as { schema?: string }).schema ?? 'public';
  return `"${schema.replace(/"/g, '""')}"`;
}
