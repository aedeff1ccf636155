import { DataSource } from 'typeorm';
import { createDataSourceOptions } from '../../src/database/analytics-data-source.options';
import { migrateWithLock } from '../../src/database/schema-migrator';
import type { AnalyticsModuleOptions } from '../../src';
import { resolveAnalyticsOptions } from '../../src/options/analytics-options.factory';
import type { ResolvedAnalyticsOptions } from '../../src/options/analytics-options.schema';

/** The module's DataSource on the run's schema, connected and migrated, with the options it came from. */
export async function openMigratedSchema(
  options: AnalyticsModuleOptions,
): Promise<{ options: ResolvedAnalyticsOptions; dataSource: DataSource }> {
  const resolved = resolveAnalyticsOptions(options, {});
  const dataSource = new DataSource(createDataSourceOptions(resolved.database));
  await dataSource.initialize();
  try {
    await migrateWithLock(dataSource);
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  return { options: resolved, dataSource };
}
