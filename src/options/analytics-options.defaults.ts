/** The defaults of every option, written once. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Bull key prefix with `redis.cluster`: a hash tag, so all keys of a queue are in one slot. */
export const DEFAULT_CLUSTER_PREFIX = '{bull}';

export const DEFAULT_SKIP_PATHS: ReadonlyArray<string> = [
  '/health',
  '/health/live',
  '/health/ready',
  '/static',
  '/media',
  '/favicon.ico',
];

export const DEFAULT_REDACT_KEYS: ReadonlyArray<string> = [
  'password',
  'passwd',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'api_key',
  'apikey',
  'authorization',
  'cookie',
  'set-cookie',
  'credit_card',
  'card_number',
  'cvv',
  'ssn',
];

export const DEFAULT_OPTIONS = {
  enabled: true,
  database: { url: DEFAULT_DATABASE_URL, schema: 'analytics', poolSize: 5 },
  redis: { url: DEFAULT_REDIS_URL, prefix: 'bull' },
  queueName: 'analytics',
  flush: { strategy: 'hybrid', intervalMs: 10_000, countThreshold: 100, maxBufferSize: 10_000 },
  sampling: { enabled: false, rate: 0.1 },
  trackAuthenticatedOnly: false,
  worker: { enabled: true, concurrency: 1, attempts: 10, backoffMs: 1000, writeTimeoutMs: 60_000, thread: true },
  runMigrations: true,
  captureStackTraces: false,
} as const;
