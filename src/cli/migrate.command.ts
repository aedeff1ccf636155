import { validateSync } from 'class-validator';
import { DataSource } from 'typeorm';
import { createDataSourceOptions } from '../database/analytics-data-source.options';
import { migrateWithLock } from '../database/schema-migrator';
import { DEFAULT_DATABASE_URL, DEFAULT_OPTIONS } from '../options/analytics-options.defaults';
import { DatabaseOptionsSchema } from '../options/analytics-options.schema';
import { CliUsageError } from './cli-arguments';
import { cliMessages, redactUrl } from './cli.messages';

export interface MigrateOptions {
  url?: string;
  schema?: string;
}

/** The database options the module would use, validated by the module's own rules. */
function resolveDatabase(options: MigrateOptions, env: NodeJS.ProcessEnv): DatabaseOptionsSchema {
  const database = Object.assign(new DatabaseOptionsSchema(), {
    url: options.url ?? (env.ANALYTICS_DATABASE_URL || DEFAULT_DATABASE_URL),
    schema: options.schema ?? DEFAULT_OPTIONS.database.schema,
    // migrateWithLock holds one connection for the advisory lock while the migrations run on another.
    poolSize: 2,
  });
  const [error] = validateSync(database);
  if (error) {
    const rule = Object.values(error.constraints ?? {})[0] ?? 'is invalid';
    throw new CliUsageError(cliMessages.invalidOption(`--${error.property}`, rule, String(error.value)));
  }
  return database;
}

/**
 * `nestjs-analytics migrate`: creates the schema and applies pending migrations under
 * the same advisory lock the module takes at start-up, so it is safe next to running apps.
 *
 * @returns the names of the migrations applied.
 */
export async function runMigrate(
  options: MigrateOptions,
  out: NodeJS.WritableStream = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  const database = resolveDatabase(options, env);
  out.write(cliMessages.migrating(redactUrl(database.url!), database.schema));
  const dataSource = new DataSource(createDataSourceOptions(database));
  await dataSource.initialize();
  try {
    const applied = await migrateWithLock(dataSource);
    applied.forEach((name) => out.write(cliMessages.applied(name)));
    out.write(applied.length ? cliMessages.done(applied.length, database.schema) : cliMessages.upToDate(database.schema));
    return applied;
  } finally {
    await dataSource.destroy();
  }
}
