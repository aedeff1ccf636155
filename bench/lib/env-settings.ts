/** PostgreSQL and Redis of the benchmarks: BENCH_DATABASE_URL and BENCH_REDIS_URL, else the local ones. */
export interface ServiceUrls {
  databaseUrl: string;
  redisUrl: string;
}

export const SERVICE_URLS: ServiceUrls = {
  databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/** The variants named in BENCH_VARIANTS (comma-separated); empty for all. */
export const ONLY_VARIANTS: readonly string[] = (process.env.BENCH_VARIANTS ?? '').split(',').filter(Boolean);

/** A positive integer from the environment variable `name`, or `fallback` when it is unset. */
export function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

/**
 * Default first port of each script's variants. Below Linux's ephemeral range (32768–60999
 * by default), so that an outgoing connection (the load generator's, PostgreSQL's, Redis's)
 * can never be holding it when a variant starts to listen.
 */
export const BASE_PORTS = { http: 19_100, profile: 19_200, instructions: 19_300, steady: 19_400 } as const;
