import { randomBytes } from 'node:crypto';

/** A schema and queue name of its own for one spec, so runs never see each other's rows. */
export function uniqueNames(prefix: string): { schema: string; queueName: string } {
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  return { schema: `t_${prefix}_${suffix}`.toLowerCase(), queueName: `test-${prefix}-${suffix}` };
}

export const DATABASE_URL = process.env.ANALYTICS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.ANALYTICS_REDIS_URL ?? 'redis://127.0.0.1:6379';
