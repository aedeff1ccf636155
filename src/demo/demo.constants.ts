/** Fixed names of the demo app; the library's own defaults live in the package. */
export const DEMO_SCHEMA = 'analytics_demo';
export const DEMO_QUEUE = 'analytics-demo';
export const DEMO_FLUSH_INTERVAL_MS = 2000;
export const DEFAULT_PORT = 3000;

/** Used when ANALYTICS_HASH_KEY is not set. Fine for a demo, never for production. */
export const DEMO_HASH_KEY = 'nestjs-analytics-demo-hash-key';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
