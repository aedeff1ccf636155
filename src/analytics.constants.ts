/**
 * Internal injection tokens and fixed names. Not exported from the package root.
 */
export const ANALYTICS_MODULE_OPTIONS = 'analytics:module-options';
export const ANALYTICS_RAW_OPTIONS = 'analytics:raw-options';
/**
 * True in the worker thread's own Nest context (`AnalyticsModule.forWorkerThread`): there the
 * problems the process reports itself (Redis unreachable, PostgreSQL unreachable at start-up)
 * are logged at debug level, so that each is printed once.
 */
export const ANALYTICS_WORKER_THREAD = 'analytics:worker-thread';
/** Name of the module's own TypeORM DataSource (`@InjectDataSource('analytics')`). */
export const ANALYTICS_DATA_SOURCE = 'analytics';
/** Name under which the Bull queue is registered in Nest's container; the Redis queue name is `queueName`. */
export const ANALYTICS_QUEUE = 'nestjs-analytics';
/** Job name of a batch of records. */
export const BATCH_JOB = 'batch';
/** Key of the PostgreSQL advisory lock that serialises migrations across instances. */
export const MIGRATION_LOCK_KEY = 7_261_944_011;
export const MIGRATIONS_TABLE = 'analytics_migrations';
