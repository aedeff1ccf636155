import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's logger for the module's DataSource: silent. `logging: false` alone still lets
 * TypeORM print some lines by itself (a migration that failed); the module reports such
 * failures itself, once, through Nest's logger, and queries are never logged: they would
 * carry row values.
 */
export class AnalyticsTypeOrmLogger implements TypeOrmLogger {
  logQuery(): void {}
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
