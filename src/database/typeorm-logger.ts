import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's logger for the module's DataSource: what TypeORM would print to the console by
 * itself (a migration that failed, a warning) goes through Nest's logger at debug level
 * instead, since the module reports the failure itself, once. Queries are never logged:
 * they would carry row values.
 */
export class AnalyticsTypeOrmLogger implements TypeOrmLogger {
  private readonly logger = new Logger('AnalyticsDatabase');

  logQuery(): void {}
  logQueryError(): void {}
  logQuerySlow(): void {}

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.debug(message);
  }

  log(_level: 'log' | 'info' | 'warn', message: unknown): void {
    this.logger.debug(String(message));
  }
}
