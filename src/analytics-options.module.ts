import { Module } from '@nestjs/common';

/**
 * Holds the resolved options (and the Redis client registry) so that the module's own
 * imports — the TypeORM DataSource and the Bull queue — can inject them.
 * Configured by `AnalyticsModule.forRoot()` / `forRootAsync()`.
 */
@Module({})
export class AnalyticsOptionsModule {}
