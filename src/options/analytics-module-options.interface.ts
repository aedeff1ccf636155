import type { ModuleMetadata, Type } from '@nestjs/common';
import type { ClusterOptions } from 'ioredis';

/** Where records are written. Either `url` or the discrete fields. */
export interface AnalyticsDatabaseOptions {
  /** @default 'postgres://postgres@127.0.0.1:5432/postgres' (env `ANALYTICS_DATABASE_URL`) */
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  database?: string;
  /** `true` or a `tls.connect` options object. */
  ssl?: boolean | Record<string, unknown>;
  /** Size of the module's own connection pool. @default 5 */
  poolSize?: number;
  /** Schema that holds the analytics tables. @default 'analytics' */
  schema?: string;
}

/** A Redis Cluster node: `'host:port'` or `{ host, port }`. */
export type AnalyticsRedisClusterNode = string | { host: string; port: number };

/**
 * A Redis Cluster instead of a single Redis server.
 *
 * @example
 * redis: {
 *   cluster: { nodes: ['10.0.0.1:6379', '10.0.0.2:6379', '10.0.0.3:6379'] },
 *   prefix: '{my-app-analytics}',
 * }
 */
export interface AnalyticsRedisClusterOptions {
  /**
   * Startup nodes; one reachable node is enough, the others are discovered.
   * (env `ANALYTICS_REDIS_CLUSTER_NODES`, as `host:port,host:port`)
   */
  nodes: AnalyticsRedisClusterNode[];
  /**
   * More ioredis `Cluster` options, e.g. `natMap`, `dnsLookup`, `scaleReads`, or
   * `redisOptions: { tls: {}, username }` for every node. The module's own settings win:
   * `enableOfflineQueue`, `enableReadyCheck`, `lazyConnect`, `clusterRetryStrategy`,
   * and `maxRetriesPerRequest` / `enableReadyCheck` / `connectTimeout` / `connectionName`
   * in `redisOptions` (they are what Bull's three connections need).
   * @example { dnsLookup: (address, done) => done(null, address), redisOptions: { tls: {} } }
   */
  options?: ClusterOptions;
}

/** The Redis that carries the Bull queue: one server (`url` or `host`), or a `cluster`. */
export interface AnalyticsRedisOptions {
  /** @default 'redis://127.0.0.1:6379' unless `host` or `cluster` is given (env `ANALYTICS_REDIS_URL`) */
  url?: string;
  host?: string;
  /** @default 6379 */
  port?: number;
  /** Also used for every node of a `cluster`. */
  password?: string;
  /** Not with `cluster` (a Redis Cluster has only database 0). */
  db?: number;
  /**
   * A Redis Cluster instead of one server; `url`, `host`, `port` and `db` are then refused.
   * (env `ANALYTICS_REDIS_CLUSTER_NODES`)
   */
  cluster?: AnalyticsRedisClusterOptions;
  /**
   * Bull key prefix. With `cluster` it must contain a hash tag (`{…}`) so that all keys of
   * the queue live in one slot. @default 'bull', or '{bull}' with `cluster`
   */
  prefix?: string;
}

export type FlushStrategy = 'time' | 'count' | 'hybrid';

export interface AnalyticsFlushOptions {
  /** @default 'hybrid' (env `ANALYTICS_FLUSH_STRATEGY`) */
  strategy?: FlushStrategy;
  /** @default 10000 (env `ANALYTICS_FLUSH_INTERVAL_SECONDS`, in seconds) */
  intervalMs?: number;
  /** @default 100 (env `ANALYTICS_FLUSH_COUNT_THRESHOLD`) */
  countThreshold?: number;
  /** Records held in memory at most; past it new records are dropped and counted. @default 10000 */
  maxBufferSize?: number;
}

export interface AnalyticsSamplingOptions {
  /** @default false (env `ANALYTICS_ENABLE_SAMPLING`) */
  enabled?: boolean;
  /** Share of successful requests kept, 0..1. @default 0.1 (env `ANALYTICS_SAMPLING_RATE`) */
  rate?: number;
}

export interface AnalyticsWorkerOptions {
  /** This process also consumes the queue and writes to PostgreSQL. @default true (env `ANALYTICS_WORKER_ENABLED`) */
  enabled?: boolean;
  /** @default 1 */
  concurrency?: number;
  /**
   * Attempts per batch, with exponential backoff. Stamped on each batch by the process that
   * sends it to the queue: set it in the API processes, not only in the workers. @default 10
   */
  attempts?: number;
  /** First backoff delay; doubles each attempt. Stamped on each batch like `attempts`. @default 1000 */
  backoffMs?: number;
  /**
   * A write that gets no answer from PostgreSQL within this many milliseconds (a frozen
   * connection, a lock held that long) is abandoned: its connection is closed and the batch
   * is retried as any failed attempt. @default 60000
   */
  writeTimeoutMs?: number;
  /**
   * Runs this process's worker in a worker thread (`node:worker_threads`), so that
   * writing batches never holds the API's event loop; `false` runs it on the main thread.
   * The thread gets its own Redis and PostgreSQL connections. When the options cannot be
   * passed to a thread (Redis Cluster options holding functions), the worker runs on the
   * main thread and says so in the log. Only used when `enabled` is true.
   * @default true
   */
  thread?: boolean;
}

/** Per-model prices in US dollars per one million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  cachedInput?: number;
}

/**
 * Options of `AnalyticsModule.forRoot()`. Every field is optional.
 *
 * @example
 * AnalyticsModule.forRoot({
 *   database: { url: process.env.DATABASE_URL, schema: 'analytics' },
 *   flush: { intervalMs: 5000 },
 *   hashKey: process.env.ANALYTICS_HASH_KEY,
 * })
 */
export interface AnalyticsModuleOptions {
  /** @default true (env `ANALYTICS_ENABLED`) */
  enabled?: boolean;
  database?: AnalyticsDatabaseOptions;
  redis?: AnalyticsRedisOptions;
  /** Redis queue name; give each app (and each test) its own. @default 'analytics' */
  queueName?: string;
  flush?: AnalyticsFlushOptions;
  sampling?: AnalyticsSamplingOptions;
  /** Path prefixes matched by whole segments, or RegExps. @default ['/health', '/health/live', '/health/ready', '/static', '/media', '/favicon.ico'] */
  skipPaths?: Array<string | RegExp>;
  /** @default false (env `ANALYTICS_TRACK_AUTHENTICATED_ONLY`) */
  trackAuthenticatedOnly?: boolean;
  /** @default (req) => req.user?.id ?? req.user?.sub */
  getUserId?: (req: any) => string | number | undefined | null;
  /** Extra keys to redact, added to the built-in list (case-insensitive). */
  redactKeys?: string[];
  /** HMAC key for `hashIdentifier()`, at least 16 characters. (env `ANALYTICS_HASH_KEY`) */
  hashKey?: string;
  /** Price overrides, keyed by model name. */
  pricing?: Record<string, ModelPrice>;
  worker?: AnalyticsWorkerOptions;
  /** Create / update the schema at start-up (serialised by an advisory lock). @default true */
  runMigrations?: boolean;
  /** Store stack traces of failures in `audit_logs.stack_trace`. @default false */
  captureStackTraces?: boolean;
}

/** Implemented by a class given to `forRootAsync({ useClass })`. */
export interface AnalyticsOptionsFactory {
  createAnalyticsOptions(): AnalyticsModuleOptions | Promise<AnalyticsModuleOptions>;
}

/**
 * Options of `AnalyticsModule.forRootAsync()`.
 *
 * @example
 * AnalyticsModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ database: { url: config.get('DATABASE_URL') } }),
 * })
 */
export interface AnalyticsModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: any[];
  useFactory?: (...args: any[]) => AnalyticsModuleOptions | Promise<AnalyticsModuleOptions>;
  useClass?: Type<AnalyticsOptionsFactory>;
  useExisting?: Type<AnalyticsOptionsFactory>;
}
