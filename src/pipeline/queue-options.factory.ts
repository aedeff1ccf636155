import type { BullModuleOptions } from '@nestjs/bull';
import type { RedisOptions } from 'ioredis';
import type { ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import { RedisClientRegistry } from './redis-client.registry';

/** Bull queue options for the analytics queue, from the module options. */
export function createQueueOptions(options: ResolvedAnalyticsOptions, registry: RedisClientRegistry): BullModuleOptions {
  const { url, host, port, password, db, prefix } = options.redis;
  const redis: RedisOptions = url ? redisOptionsFromUrl(url) : { host: host ?? '127.0.0.1', port: port ?? 6379 };
  if (password !== undefined) redis.password = password;
  if (db !== undefined) redis.db = db;
  return {
    name: options.queueName,
    prefix,
    redis,
    // The version check would open a connection before the module's error listener is attached.
    skipVersionCheck: true,
    createClient: (type, config) => registry.create(type, { ...redis, ...config }),
    defaultJobOptions: {
      attempts: options.worker.attempts,
      backoff: { type: 'exponential', delay: options.worker.backoffMs },
      removeOnComplete: true,
      removeOnFail: false,
    },
  } as BullModuleOptions;
}

function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  const options: RedisOptions = {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
  };
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  const db = parsed.pathname.replace('/', '');
  if (db) options.db = Number(db);
  if (parsed.protocol === 'rediss:') options.tls = {};
  return options;
}
